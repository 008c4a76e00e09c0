using InferenceServer.Training.Data;
using InferenceServer.Training.Training;

namespace InferenceServer.Training.Tests.Training;

/// <summary>The training loop on the tiny model: which data source feeds each step with an equation warm-up.</summary>
public sealed class EquationWarmupTests
{
    [Fact]
    public void Equation_warm_up_replaces_only_the_first_pretraining_steps()
    {
        using var tinyLoop = new TinyLoop(denseSeq: 64, denseRows: 1, answerSeq: 64, answerRows: 1, gatherRows: 8);
        var encoder = tinyLoop.Encoder;
        // The loop logs after every step (LogEvery 1), so the log count is the index of the step being filled.
        var step = 0;
        var used = new List<(string Source, int Step)>();
        BatchPacker Source(string name, Func<EncodedExample> next, bool dense) => tinyLoop.Packer(next, dense, _ => used.Add((name, step)));
        var plain = new TaskGenerator(1, DataSplit.Train);
        var chat = new TaskGenerator(2, DataSplit.Train);
        var equationText = new TaskGenerator(3, DataSplit.Train, new DataRecipe { EquationShare = 1.0 });
        var options = new TrainingOptions { Steps = 8, PretrainFraction = 0.5, EquationWarmupFraction = 0.75, PlainTextMix = 0, LogEvery = 1 };

        var loop = new TrainingLoop(tinyLoop.Dense, tinyLoop.Masked, options, _ => step++);
        var records = loop.Run(
            Source("plain", () => encoder.EncodePlain(plain.NextPlainText()), true),
            Source("chat", () => encoder.EncodeChat(chat.Next()), false),
            Source("dense chat", () => encoder.EncodeChat(chat.Next()), true),
            TimeProvider.System,
            Source("equations", () => encoder.EncodePlain(equationText.NextPlainText()), true));

        Assert.Equal(8, records.Count);
        Assert.Equal(["pretrain", "pretrain", "pretrain", "pretrain", "instruct", "instruct", "instruct", "instruct"], records.Select(r => r.Phase));
        // A fraction beyond the pretraining share (0.75 > 0.5) still only replaces pretraining steps.
        Assert.Equal([0, 1, 2, 3], used.Where(u => u.Source == "equations").Select(u => u.Step).Distinct());
        Assert.Equal([4, 5, 6, 7], used.Where(u => u.Source == "chat").Select(u => u.Step).Distinct());
        Assert.DoesNotContain(used, u => u.Source is "plain" or "dense chat");
        Assert.All(records, r => Assert.False(double.IsNaN(r.Loss)));
    }
}
