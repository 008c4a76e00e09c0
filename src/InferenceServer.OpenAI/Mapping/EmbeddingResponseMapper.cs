using InferenceServer.OpenAI.Protocol;

namespace InferenceServer.OpenAI.Mapping;

/// <summary>Unit vectors from the engine to the OpenAI "list" of "embedding" objects.</summary>
public static class EmbeddingResponseMapper
{
    public static EmbeddingResponse ToResponse(IReadOnlyList<float[]> vectors, string model, bool base64, int dimensions, int promptTokens) => new()
    {
        Model = model,
        Data = vectors.Select((v, i) => new EmbeddingData { Index = i, Embedding = new EmbeddingVector(Shorten(v, dimensions), base64) }).ToList(),
        Usage = new EmbeddingUsage(promptTokens, promptTokens),
    };

    /// <summary>The first <paramref name="dimensions"/> values, re-normalized to unit length (Matryoshka truncation).</summary>
    public static float[] Shorten(float[] vector, int dimensions)
    {
        if (dimensions >= vector.Length)
        {
            return vector;
        }

        var head = vector[..dimensions];
        double sum = 0;
        foreach (float v in head)
        {
            sum += (double)v * v;
        }

        if (sum > 0)
        {
            float scale = (float)(1 / Math.Sqrt(sum));
            for (int i = 0; i < head.Length; i++)
            {
                head[i] *= scale;
            }
        }

        return head;
    }
}
