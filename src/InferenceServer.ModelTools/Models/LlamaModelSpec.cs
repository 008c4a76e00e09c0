using InferenceServer.ModelTools.Gguf;

namespace InferenceServer.ModelTools.Models;

/// <summary>Hyperparameters of a llama-architecture model (the <c>llama.*</c> GGUF keys).</summary>
public sealed record LlamaModelSpec
{
    public int EmbeddingLength { get; init; } = 64;
    public int BlockCount { get; init; } = 2;
    public int HeadCount { get; init; } = 4;
    /// <summary>Key/value heads (GQA); must divide <see cref="HeadCount"/>.</summary>
    public int HeadCountKv { get; init; } = 2;
    public int FeedForwardLength { get; init; } = 172;
    public int ContextLength { get; init; } = 2048;
    public float RopeFreqBase { get; init; } = 10000f;
    public float RmsNormEpsilon { get; init; } = 1e-5f;
    /// <summary>Storage type of the 2-D weight matrices; norm vectors are always F32.</summary>
    public GgufTensorType TensorType { get; init; } = GgufTensorType.F32;
    /// <summary>When true no <c>output.weight</c> is written and llama.cpp reuses <c>token_embd.weight</c>.</summary>
    public bool TiedEmbeddings { get; init; }
    public string Name { get; init; } = "inferenceserver-tiny";

    public int HeadDimension => EmbeddingLength / HeadCount;
    public int KvDimension => HeadDimension * HeadCountKv;

    /// <summary>Throws <see cref="ArgumentException"/> when llama.cpp would refuse or misread the shapes.</summary>
    public void Validate()
    {
        if (EmbeddingLength <= 0 || BlockCount <= 0 || HeadCount <= 0 || HeadCountKv <= 0 || FeedForwardLength <= 0 || ContextLength <= 0)
            throw new ArgumentException("All model dimensions must be positive.");
        if (EmbeddingLength % HeadCount != 0) throw new ArgumentException($"EmbeddingLength {EmbeddingLength} is not divisible by HeadCount {HeadCount}.");
        if (HeadDimension % 2 != 0) throw new ArgumentException($"Head dimension {HeadDimension} must be even (RoPE).");
        if (HeadCount % HeadCountKv != 0) throw new ArgumentException($"HeadCount {HeadCount} is not a multiple of HeadCountKv {HeadCountKv}.");
        if (TensorType is not (GgufTensorType.F32 or GgufTensorType.F16)) throw new ArgumentException("TensorType must be F32 or F16.");
        if (!(RmsNormEpsilon > 0) || !(RopeFreqBase > 0)) throw new ArgumentException("RmsNormEpsilon and RopeFreqBase must be positive.");
    }

    /// <summary>Number of weights of a model with this shape and <paramref name="vocabSize"/> tokens.</summary>
    public long ParameterCount(int vocabSize)
    {
        long e = EmbeddingLength, ff = FeedForwardLength, kv = KvDimension;
        long perBlock = e /*attn_norm*/ + e * e /*q*/ + 2 * e * kv /*k,v*/ + e * e /*o*/ + e /*ffn_norm*/ + 3 * e * ff;
        return vocabSize * e /*token_embd*/ + e /*output_norm*/ + (TiedEmbeddings ? 0 : vocabSize * e) + BlockCount * perBlock;
    }

    /// <summary>A spec suited to <see cref="LlamaWeights.CreateScripted"/>: one block, one head, embedding &gt;= vocabulary.</summary>
    public static LlamaModelSpec ForScripted(int vocabSize, int contextLength = 2048) => new()
    {
        EmbeddingLength = (vocabSize + 31) / 32 * 32,
        BlockCount = 1,
        HeadCount = 1,
        HeadCountKv = 1,
        FeedForwardLength = 32,
        ContextLength = contextLength,
        TensorType = GgufTensorType.F32,
        Name = "inferenceserver-scripted",
    };
}
