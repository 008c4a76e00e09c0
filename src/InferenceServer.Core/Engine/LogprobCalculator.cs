using System.Buffers;
using System.Numerics.Tensors;
using System.Text;
using InferenceServer.Core.Generation;

namespace InferenceServer.Core.Engine;

/// <summary>
/// OpenAI logprobs from raw logits: log-softmax over the whole vocabulary (vectorised with TensorPrimitives) and the
/// top-N alternatives by partial selection. A full-vocabulary pass: only run when the request asked for logprobs.
/// </summary>
internal static class LogprobCalculator
{
    public static TokenLogprob Compute(ReadOnlySpan<float> logits, int sampledToken, int topN, ITokenizer tokenizer)
    {
        float logZ = LogSumExp(logits);
        float sampled = (uint)sampledToken < (uint)logits.Length ? logits[sampledToken] - logZ : float.NegativeInfinity;

        var top = new List<TopLogprob>(topN);
        if (topN > 0)
        {
            foreach (int token in TopIndices(logits, topN))
            {
                top.Add(new TopLogprob(token, TokenText(tokenizer, token, out byte[] bytes), bytes, logits[token] - logZ));
            }
        }

        string text = TokenText(tokenizer, sampledToken, out byte[] sampledBytes);
        return new TokenLogprob(sampledToken, text, sampledBytes, sampled, top);
    }

    public static float LogSumExp(ReadOnlySpan<float> logits)
    {
        if (logits.IsEmpty)
        {
            return 0f;
        }

        float max = TensorPrimitives.Max(logits);
        float[] rented = ArrayPool<float>.Shared.Rent(logits.Length);
        try
        {
            Span<float> buffer = rented.AsSpan(0, logits.Length);
            TensorPrimitives.Subtract(logits, max, buffer);
            TensorPrimitives.Exp(buffer, buffer);
            return max + MathF.Log(TensorPrimitives.Sum(buffer));
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>Indices of the <paramref name="count"/> largest values, largest first (min-heap selection, O(V log N)).</summary>
    public static int[] TopIndices(ReadOnlySpan<float> values, int count)
    {
        count = Math.Min(count, values.Length);
        if (count <= 0)
        {
            return [];
        }

        var heap = new PriorityQueue<int, float>(count);
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (heap.Count < count)
            {
                heap.Enqueue(i, v);
            }
            else if (heap.TryPeek(out _, out float smallest) && v > smallest)
            {
                heap.DequeueEnqueue(i, v);
            }
        }

        var result = new int[heap.Count];
        for (int i = result.Length - 1; i >= 0; i--)
        {
            result[i] = heap.Dequeue();
        }

        return result;
    }

    private static string TokenText(ITokenizer tokenizer, int token, out byte[] bytes)
    {
        bytes = tokenizer.TokenBytes(token);
        return Encoding.UTF8.GetString(bytes);
    }
}
