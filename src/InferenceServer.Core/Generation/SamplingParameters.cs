namespace InferenceServer.Core.Generation;

/// <summary>
/// How the next token is chosen. Defaults are OpenAI's (temperature 1, top_p 1, no top_k/min_p), not llama.cpp's.
/// Temperature 0 means greedy (argmax). Immutable; one backend sampler chain is built from it per sequence.
/// </summary>
public sealed record SamplingParameters
{
    public static SamplingParameters Default { get; } = new();

    public float Temperature { get; init; } = 1f;
    public float TopP { get; init; } = 1f;
    /// <summary>0 disables top-k.</summary>
    public int TopK { get; init; }
    /// <summary>0 disables min-p.</summary>
    public float MinP { get; init; }
    public float PresencePenalty { get; init; }
    public float FrequencyPenalty { get; init; }
    /// <summary>llama.cpp-style multiplicative repetition penalty; 1 disables it.</summary>
    public float RepetitionPenalty { get; init; } = 1f;
    /// <summary>Null: a fresh random seed per request.</summary>
    public uint? Seed { get; init; }
    /// <summary>Token id to additive bias (OpenAI logit_bias, -100..100; -100 effectively bans the token).</summary>
    public IReadOnlyDictionary<int, float> LogitBias { get; init; } = new Dictionary<int, float>();
    /// <summary>Keep generating past end-of-generation tokens (until max tokens or a stop string).</summary>
    public bool IgnoreEos { get; init; }
    /// <summary>Constrains the output to a grammar (response_format, tool calls); null: unconstrained.</summary>
    public GrammarConstraint? Grammar { get; init; }

    public bool IsGreedy => Temperature <= 0f;
}
