using InferenceServer.Training.Data;
using InferenceServer.Training.Evaluation;

namespace InferenceServer.Training.Tests.Evaluation;

public sealed class GreedyEvaluatorScoreTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Counts_per_task_and_samples_only_wrong_replies(bool mixedPassageKinds)
    {
        var examples = HeldOutSet.Generate(120, mixedPassageKinds: mixedPassageKinds);
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
        // With one kind of fact per passage every question needs the binding; with mixed kinds only those whose asked kind is shared.
        var binding = passages.Where(i => PassageKinds.AskedKindIsShared(examples[i].Question)).ToList();
        if (mixedPassageKinds) Assert.InRange(binding.Count, 1, passages.Count - 1);
        else Assert.Equal(passages.Count, binding.Count);
        Assert.Equal(binding.Count, result.SharedKindPassages!.Total);
        Assert.Equal(binding.Count(i => i % 3 != 0), result.SharedKindPassages.Correct);
        Assert.All(result.SampleFailures, f => Assert.Contains("-> \"wrong\"", f, StringComparison.Ordinal));
    }
}
