namespace InferenceServer.Training.Model;

/// <summary>Hyper-parameters of a llama-architecture model, as stored in its GGUF metadata.</summary>
public sealed record ModelConfig(
    int VocabSize,
    int EmbeddingLength,
    int BlockCount,
    int HeadCount,
    int HeadCountKv,
    int FeedForwardLength,
    int ContextLength,
    float RmsEpsilon = 1e-5f,
    float RopeFreqBase = 10000f)
{
    public int HeadDim => EmbeddingLength / HeadCount;

    public int KvDim => HeadDim * HeadCountKv;

    /// <summary>Parameter count with an untied output matrix.</summary>
    public long ParameterCount(bool tiedOutput)
    {
        long e = EmbeddingLength, v = VocabSize, f = FeedForwardLength;
        long perBlock = 2 * e + e * e * 2 + 2 * e * KvDim + 3 * e * f;
        return v * e * (tiedOutput ? 1 : 2) + e + BlockCount * perBlock;
    }
}
