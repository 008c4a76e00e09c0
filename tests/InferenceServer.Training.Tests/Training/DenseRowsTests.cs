using InferenceServer.Training.Data;
using InferenceServer.Training.Training;

namespace InferenceServer.Training.Tests.Training;

/// <summary>The training loop on the tiny model with dense steps in shorter rows than the answer-only steps.</summary>
public sealed class DenseRowsTests
{
    [Fact]
    public void Dense_steps_train_on_short_rows_and_answer_steps_on_long_rows()
    {
        // The same 128 tokens per step: 4 x 32 for every-token steps, 1 x 128 for answer-only steps.
        using var loop = new TinyLoop(denseSeq: 32, denseRows: 4, answerSeq: 128, answerRows: 1, gatherRows: 8);
        var encoder = loop.Encoder;
        var lengths = new List<(string Source, int Length)>();
        BatchPacker Source(string name, Func<EncodedExample> next, bool labelAll) => loop.Packer(next, labelAll, e => lengths.Add((name, e.Length)));
        var plain = new TaskGenerator(1, DataSplit.Train, new DataRecipe { EquationShare = 1.0 });
        var chat = new TaskGenerator(2, DataSplit.Train);
        var options = new TrainingOptions { Steps = 6, PretrainFraction = 0.34, PlainTextMix = 0.5, LogEvery = 100 };

        var records = new TrainingLoop(loop.Dense, loop.Masked, options, _ => { }).Run(
            Source("plain", () => encoder.EncodePlain(plain.NextPlainText()), true),
            Source("chat", () => encoder.EncodeChat(chat.Next()), false),
            Source("dense", () => encoder.EncodePlain(plain.NextPlainText()), true),
            TimeProvider.System);

        Assert.Equal(["pretrain", "pretrain", "pretrain", "instruct", "pretrain", "instruct"], records.Select(r => r.Phase));
        Assert.Equal([128L, 256, 384, 512, 640, 768], records.Select(r => r.Tokens));
        Assert.Contains(lengths, l => l.Source == "chat" && l.Length > 32); // chat rows hold examples no dense row could
        Assert.All(records, r => Assert.False(double.IsNaN(r.Loss)));
    }

    [Fact]
    public void A_source_whose_examples_never_fit_a_row_fails_instead_of_hanging()
    {
        var packer = new BatchPacker(() => new EncodedExample(new int[40], new int[40]), 0);
        Assert.Throws<InvalidOperationException>(() => packer.Fill(new TokenBatch(32, 1)));
    }
}
