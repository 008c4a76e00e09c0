using InferenceServer.Training.Data;
using InferenceServer.Training.Training;

namespace InferenceServer.Training.Tests.Training;

/// <summary>The tiny model with the training loop's two sessions (every-token and answer-only) and packers that report each example they draw.</summary>
internal sealed class TinyLoop : IDisposable
{
    private readonly TinyModelOnCpu _tiny = new();

    public TinyLoop(int denseSeq, int denseRows, int answerSeq, int answerRows, int gatherRows)
    {
        Dense = new OptimizationSession(_tiny.Model, _tiny.Backend, denseSeq, denseRows);
        Masked = new OptimizationSession(_tiny.Model, _tiny.Backend, answerSeq, answerRows, gatherRows: gatherRows);
        Encoder = new ExampleEncoder(_tiny.Tokenizer);
    }

    public OptimizationSession Dense { get; }
    public OptimizationSession Masked { get; }
    public ExampleEncoder Encoder { get; }

    /// <summary>A packer over <paramref name="next"/> that calls <paramref name="drawn"/> with every example it takes.</summary>
    public BatchPacker Packer(Func<EncodedExample> next, bool labelEveryPosition, Action<EncodedExample> drawn) =>
        new(() => { var e = next(); drawn(e); return e; }, _tiny.Tokenizer.Padding, labelEveryPosition);

    public void Dispose()
    {
        Masked.Dispose();
        Dense.Dispose();
        _tiny.Dispose();
    }
}
