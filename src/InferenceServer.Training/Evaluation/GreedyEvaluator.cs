using InferenceServer.Training.Data;

namespace InferenceServer.Training.Evaluation;

/// <summary>Per-task exact-match accuracy with greedy decoding through llama.cpp (LLamaSharp).</summary>
public sealed record TaskAccuracy(string Task, int Correct, int Total)
{
    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;
}

/// <param name="ByVariant">Tasks with variants, per variant ("ContextQuestion: one kind of fact").</param>
public sealed record EvaluationResult(
    IReadOnlyList<TaskAccuracy> ByTask, IReadOnlyList<TaskAccuracy> ByVariant, int Correct, int Total, IReadOnlyList<string> SampleFailures)
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
        var correct = new Dictionary<TaskKind, int>();
        var total = new Dictionary<TaskKind, int>();
        var variantCorrect = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var variantTotal = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var failures = new List<string>();
        foreach (var ex in examples)
        {
            var prompt = session.ApplyTemplate(ex.Messages.Select(m => (m.Role, m.Content)));
            var tokens = session.Tokenize(prompt, session.AddBos, special: true);
            var reply = session.Greedy(tokens, maxTokens: 16);
            var ok = AnswerChecker.IsCorrect(ex, reply);
            total[ex.Task] = total.GetValueOrDefault(ex.Task) + 1;
            if (ok) correct[ex.Task] = correct.GetValueOrDefault(ex.Task) + 1;
            if (ex.Variant is { } v)
            {
                var key = $"{ex.Task}: {v}";
                variantTotal[key] = variantTotal.GetValueOrDefault(key) + 1;
                if (ok) variantCorrect[key] = variantCorrect.GetValueOrDefault(key) + 1;
            }
            else if (failures.Count < 25) failures.Add($"[{ex.Task}] {ex.Question.Replace('\n', ' ')} -> \"{reply}\" (expected \"{ex.Answer}\")");
        }
        var byTask = Enum.GetValues<TaskKind>()
            .Where(total.ContainsKey)
            .Select(t => new TaskAccuracy(t.ToString(), correct.GetValueOrDefault(t), total[t]))
            .ToList();
        var byVariant = variantTotal.Select(p => new TaskAccuracy(p.Key, variantCorrect.GetValueOrDefault(p.Key), p.Value)).ToList();
        var result = new EvaluationResult(byTask, byVariant, byTask.Sum(t => t.Correct), byTask.Sum(t => t.Total), failures);
        if (log is not null)
        {
            foreach (var t in byTask) log($"  {t.Task,-16} {t.Correct,4}/{t.Total,-4} {t.Accuracy:P1}");
            foreach (var t in byVariant) log($"    {t.Task,-34} {t.Correct,4}/{t.Total,-4} {t.Accuracy:P1}");
            log($"  {"overall",-16} {result.Correct,4}/{result.Total,-4} {result.Accuracy:P1}");
        }
        return result;
    }
}
