using InferenceServer.Training.Data;

namespace InferenceServer.Training.Evaluation;

/// <summary>Per-task exact-match accuracy with greedy decoding through llama.cpp (LLamaSharp).</summary>
public sealed record TaskAccuracy(string Task, int Correct, int Total)
{
    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;
}

/// <param name="SharedKindPassages">Passage questions whose asked kind of fact the passage states for two or more people (answered only by binding the name to its value).</param>
public sealed record EvaluationResult(IReadOnlyList<TaskAccuracy> ByTask, int Correct, int Total, IReadOnlyList<string> SampleFailures, TaskAccuracy? SharedKindPassages = null)
{
    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;

    public double ArithmeticAccuracy
    {
        get
        {
            var a = ByTask.Where(t => t.Task is nameof(TaskKind.Addition) or nameof(TaskKind.Subtraction)).ToList();
            var total = a.Sum(t => t.Total);
            return total == 0 ? 0 : (double)a.Sum(t => t.Correct) / total;
        }
    }
}

internal static class GreedyEvaluator
{
    public static EvaluationResult Evaluate(string modelPath, IReadOnlyList<TaskExample> examples, int threads, Action<string>? log = null)
    {
        using var session = new LlamaModelSession(modelPath, 512, threads);
        var replies = examples.Select(ex =>
        {
            var prompt = session.ApplyTemplate(ex.Messages.Select(m => (m.Role, m.Content)));
            var tokens = session.Tokenize(prompt, session.AddBos, special: true);
            return session.Greedy(tokens, maxTokens: 16);
        }).ToList();
        var result = Score(examples, replies);
        if (log is not null)
        {
            foreach (var t in result.ByTask) log($"  {t.Task,-16} {t.Correct,4}/{t.Total,-4} {t.Accuracy:P1}");
            log($"  {"overall",-16} {result.Correct,4}/{result.Total,-4} {result.Accuracy:P1}");
            if (result.SharedKindPassages is { Total: > 0 } shared)
            {
                log($"  passage questions whose asked kind two or more people share (binding): {shared.Correct}/{shared.Total} {shared.Accuracy:P1}");
            }
        }
        return result;
    }

    /// <summary>Exact match per task; the first 25 wrong replies as samples.</summary>
    public static EvaluationResult Score(IReadOnlyList<TaskExample> examples, IReadOnlyList<string> replies)
    {
        var correct = new Dictionary<TaskKind, int>();
        var total = new Dictionary<TaskKind, int>();
        var failures = new List<string>();
        int sharedCorrect = 0, sharedTotal = 0;
        foreach (var (ex, reply) in examples.Zip(replies))
        {
            var ok = AnswerChecker.IsCorrect(ex, reply);
            if (ex.Task == TaskKind.ContextQuestion && PassageKinds.AskedKindIsShared(ex.Question))
            {
                sharedTotal++;
                if (ok) sharedCorrect++;
            }
            total[ex.Task] = total.GetValueOrDefault(ex.Task) + 1;
            if (ok) correct[ex.Task] = correct.GetValueOrDefault(ex.Task) + 1;
            else if (failures.Count < 25) failures.Add($"[{ex.Task}] {ex.Question.Replace('\n', ' ')} -> \"{reply}\" (expected \"{ex.Answer}\")");
        }
        var byTask = Enum.GetValues<TaskKind>()
            .Where(total.ContainsKey)
            .Select(t => new TaskAccuracy(t.ToString(), correct.GetValueOrDefault(t), total[t]))
            .ToList();
        return new EvaluationResult(byTask, byTask.Sum(t => t.Correct), byTask.Sum(t => t.Total), failures,
            new TaskAccuracy("ContextQuestion (shared kind)", sharedCorrect, sharedTotal));
    }
}
