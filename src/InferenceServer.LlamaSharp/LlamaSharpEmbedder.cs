using InferenceServer.Core.Embeddings;
using InferenceServer.Core.Errors;
using LLama;
using LLama.Native;

namespace InferenceServer.LlamaSharp;

/// <summary>
/// <see cref="IEmbeddingBackend"/> over a persistent LLamaSharp context built with <c>embeddings = true</c>. One
/// sequence per input; the inputs of one call are packed into as few decodes as the context allows (the KV cells are
/// cleared before each). The context returns every token's last hidden state (pooling none) and the pooling
/// (<see cref="EmbeddingPooling"/>: mean, cls or last) is done here, in double precision and in token order: llama.cpp's
/// own pooled output is a matrix product over the whole batch whose rounding depends on where the sequence sits in
/// the batch, so the same input gave vectors differing in the last bit alone and batched. Every vector is
/// L2-normalized. Only the embedding worker thread calls <see cref="Embed"/>.
/// </summary>
internal sealed class LlamaSharpEmbedder : IEmbeddingBackend
{
    private readonly LLamaContext _context;
    private readonly LLamaBatch _batch = new();
    private bool _disposed;

    private readonly LLamaPoolingType _pooling;

    public LlamaSharpEmbedder(LLamaContext context, LLamaPoolingType pooling, EmbeddingModelInfo info)
    {
        _context = context;
        _pooling = pooling;
        Info = info;
    }

    public EmbeddingModelInfo Info { get; }

    public float[][] Embed(IReadOnlyList<IReadOnlyList<int>> inputs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var result = new float[inputs.Count][];
        foreach (var (start, count) in Pack(inputs, Info.MaxBatchTokens, Info.MaxInputsPerDecode))
        {
            DecodeGroup(inputs, start, count, result);
        }

        return result;
    }

    /// <summary>Consecutive groups of inputs that fit one decode (token and sequence limits).</summary>
    internal static IEnumerable<(int Start, int Count)> Pack(IReadOnlyList<IReadOnlyList<int>> inputs, int maxTokens, int maxInputs)
    {
        int start = 0, tokens = 0;
        for (int i = 0; i < inputs.Count; i++)
        {
            int length = inputs[i].Count;
            if (i > start && (tokens + length > maxTokens || i - start == maxInputs))
            {
                yield return (start, i - start);
                start = i;
                tokens = 0;
            }

            tokens += length;
        }

        if (inputs.Count > start)
        {
            yield return (start, inputs.Count - start);
        }
    }

    private void DecodeGroup(IReadOnlyList<IReadOnlyList<int>> inputs, int start, int count, float[][] result)
    {
        var handle = _context.NativeHandle;
        handle.MemoryClear(true);
        _batch.Clear();
        for (int s = 0; s < count; s++)
        {
            IReadOnlyList<int> tokens = inputs[start + s];
            for (int p = 0; p < tokens.Count; p++)
            {
                _batch.Add((LLamaToken)tokens[p], p, (LLamaSeqId)s, true);
            }
        }

        var code = handle.Decode(_batch);
        if (code != DecodeResult.Ok)
        {
            throw new InferenceException(InferenceErrorKind.Internal, $"The embedding decode failed ({code}).");
        }

        var sum = new double[Info.Dimensions];
        int first = 0;
        for (int s = 0; s < count; s++)
        {
            int length = inputs[start + s].Count;
            Array.Clear(sum);
            int from = _pooling switch
            {
                LLamaPoolingType.CLS => first,
                LLamaPoolingType.Last => first + length - 1,
                _ => first,
            };
            int to = _pooling == LLamaPoolingType.CLS ? first + 1 : first + length;
            for (int i = from; i < to; i++)
            {
                var state = handle.GetEmbeddingsIth(i);
                for (int d = 0; d < sum.Length; d++)
                {
                    sum[d] += state[d];
                }
            }

            result[start + s] = Normalize(sum);
            first += length;
        }
    }

    /// <summary>The unit vector along <paramref name="sum"/> (a mean and a sum have the same direction).</summary>
    internal static float[] Normalize(ReadOnlySpan<double> sum)
    {
        double squares = 0;
        foreach (double v in sum)
        {
            squares += v * v;
        }

        double scale = squares > 0 && double.IsFinite(squares) ? 1 / Math.Sqrt(squares) : 1;
        var vector = new float[sum.Length];
        for (int d = 0; d < sum.Length; d++)
        {
            vector[d] = (float)(sum[d] * scale);
        }

        return vector;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        lock (NativeLibraryGate.Sync)
        {
            _context.Dispose();
        }
    }
}
