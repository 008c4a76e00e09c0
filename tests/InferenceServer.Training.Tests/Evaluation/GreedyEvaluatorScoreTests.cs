using InferenceServer.Training.Data;
using InferenceServer.Training.Evaluation;

namespace InferenceServer.Training.Tests.Evaluation;

public sealed class GreedyEvaluatorScoreTests
{
    [Fact]
    public void Counts_per_task_and_samples_only_wrong_replies()
    {
        var examples = HeldOutSet.Generate(120);
        // Every third reply is wrong, the others are the expected answer.
        var replies = examples.Select((e, i) => i % 3 == 0 ? "wrong" : e.Answer).ToList();

        var result = GreedyEvaluator.Score(examples, replies);

        Assert.Equal(120, result.Total);
        Assert.Equal(80, result.Correct);
        foreach (var task in result.ByTask)
        {
            var indices = Enumerable.Range(0, examples.Count).Where(i => examples[i].Task.ToString() == task.Task).ToList();
            Assert.Equal(indices.Count, task.Total);
            Assert.Equal(indices.Count(i => i % 3 != 0), task.Correct);
        }
        Assert.Equal(25, result.SampleFailures.Count);
        var passages = Enumerable.Range(0, examples.Count).Where(i => examples[i].Task == TaskKind.ContextQuestion).ToList();
        Assert.Equal(passages.Count, result.SharedKindPassages!.Total); // one kind of fact per passage: every question needs binding
        Assert.Equal(passages.Count(i => i % 3 != 0), result.SharedKindPassages.Correct);
        Assert.All(result.SampleFailures, f => Assert.Contains("-> \"wrong\"", f, StringComparison.Ordinal));
    }
}
