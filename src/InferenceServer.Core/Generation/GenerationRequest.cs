namespace InferenceServer.Core.Generation;

/// <summary>What the wire protocol asks the engine to do for one choice of one request.</summary>
public enum GenerationOperation
{
    Chat,
    TextCompletion,
    /// <summary>POST /v1/embeddings (no generation; metrics only).</summary>
    Embeddings,
    /// <summary>POST /v1/score: prompts decoded for their logprobs, nothing generated.</summary>
    Score,
}

/// <summary>
/// One sequence to generate: an already tokenized prompt plus decoding limits. The protocol layer renders and
/// tokenizes (on the request thread) so that an over-long prompt is refused before it is queued.
/// </summary>
public sealed record GenerationRequest
{
    /// <summary>Correlates logs, traces and metrics (the wire response id).</summary>
    public required string RequestId { get; init; }
    public required IReadOnlyList<int> PromptTokens { get; init; }
    public SamplingParameters Sampling { get; init; } = SamplingParameters.Default;
    /// <summary>Upper bound on generated tokens; null means "until the context is full"; 0 = decode the prompt only
    /// (prompt scoring).</summary>
    public int? MaxTokens { get; init; }
    /// <summary>Up to 4 stop strings; matched on decoded text, never emitted, also when split across tokens.</summary>
    public IReadOnlyList<string> StopSequences { get; init; } = [];
    /// <summary>Null: no logprobs. 0..20: return the sampled token's logprob plus this many alternatives.</summary>
    public int? TopLogprobs { get; init; }
    /// <summary>Null: none. 0..20: score the prompt: the logprob of every prompt token given the tokens before it
    /// (the first has none) plus this many alternatives, sent once in <see cref="GenerationUpdate.PromptLogprobs"/>.
    /// Prompt tokens are then decoded with logits at every position (no prefix-cache reuse for such a request).</summary>
    public int? PromptLogprobs { get; init; }
    /// <summary>Null: sample or decode greedily. Set: beam search (the sampling fields other than logit_bias and
    /// ignore_eos do not apply); the final update carries the best beams in <see cref="GenerationUpdate.Beams"/>.</summary>
    public BeamSearchParameters? BeamSearch { get; init; }
    public GenerationOperation Operation { get; init; } = GenerationOperation.Chat;
    /// <summary>Model name as the client asked for it (metrics attribute).</summary>
    public string? RequestedModel { get; init; }
}

/// <summary>Beam search (vLLM's names): <paramref name="Width"/> live hypotheses, the <paramref name="N"/> best returned,
/// ranked by cumulative logprob / length^<paramref name="LengthPenalty"/> (length = generated tokens, end-of-generation
/// not counted; 0 ranks by log-probability alone).</summary>
public sealed record BeamSearchParameters(int Width, float LengthPenalty = 1f, int N = 1);
