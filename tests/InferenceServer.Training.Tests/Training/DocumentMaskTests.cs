using InferenceServer.Training.Data;
using InferenceServer.Training.Training;

namespace InferenceServer.Training.Tests.Training;

/// <summary>
/// Packed rows with the document mask: an example placed after another in the same row gets exactly the loss it
/// gets alone at position 0 (what inference sees); without the mask the earlier example leaks into it.
/// </summary>
public sealed class DocumentMaskTests : IDisposable
{
    private const int SeqLen = 128;
    private readonly TinyModelOnCpu _tiny = new();

    [Fact]
    public void A_packed_example_is_scored_as_if_it_were_alone()
    {
        var encoder = new ExampleEncoder(_tiny.Tokenizer);
        var examples = HeldOutSet.Generate(12);
        var first = encoder.EncodeChatAllTokens(examples[6]);
        var second = encoder.EncodeChatAllTokens(examples[1]);
        Assert.True(first.Length + second.Length <= SeqLen);

        using var masked = new OptimizationSession(_tiny.Model, _tiny.Backend, SeqLen, 1, documentMask: true);
        using var causal = new OptimizationSession(_tiny.Model, _tiny.Backend, SeqLen, 1);

        var alone = Batch(second);
        var packed = Batch(first, second);
        var maskedAlone = masked.Evaluate(alone).MeanLoss;
        var maskedPacked = masked.Evaluate(packed).MeanLoss;
        var causalAlone = causal.Evaluate(alone).MeanLoss;
        var causalPacked = causal.Evaluate(packed).MeanLoss;

        Assert.Equal(causalAlone, maskedAlone, 5);
        Assert.Equal(maskedAlone, maskedPacked, 4);
        Assert.True(Math.Abs(causalPacked - causalAlone) > 1e-3, $"without the mask the packed loss {causalPacked} should differ from {causalAlone}");
    }

    /// <summary>One row: the examples in order, loss only on the last one's tokens, padding after them.</summary>
    private TokenBatch Batch(params EncodedExample[] parts)
    {
        var queue = new Queue<EncodedExample>(parts.Select((p, i) => i < parts.Length - 1 ? p with { Targets = Enumerable.Repeat(-1, p.Length).ToArray() } : p));
        // A full-row filler does not fit after the given examples, so it closes the row.
        var filler = new EncodedExample(new int[SeqLen], new int[SeqLen]);
        var packer = new BatchPacker(() => queue.Count > 0 ? queue.Dequeue() : filler, _tiny.Tokenizer.Padding);
        var batch = new TokenBatch(SeqLen, 1);
        packer.Fill(batch);
        return batch;
    }

    public void Dispose() => _tiny.Dispose();
}
