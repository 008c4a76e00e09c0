namespace InferenceServer.Core.Generation;

/// <summary>Why a sequence ended. Maps to OpenAI finish_reason (Stop -> "stop", Length -> "length").</summary>
public enum FinishReason
{
    /// <summary>End-of-generation token or a stop string.</summary>
    Stop,
    /// <summary>max_tokens reached or the context is full.</summary>
    Length,
    /// <summary>The client went away; never sent on the wire.</summary>
    Cancelled,
}

/// <summary>Token accounting for one sequence.</summary>
public sealed record Usage(int PromptTokens, int CompletionTokens, int CachedPromptTokens = 0)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}

/// <summary>An alternative token with its log-probability (natural log).</summary>
public sealed record TopLogprob(int TokenId, string Token, byte[] Bytes, float Logprob);

/// <summary>The sampled token's log-probability under the model's distribution and the top alternatives.</summary>
public sealed record TokenLogprob(int TokenId, string Token, byte[] Bytes, float Logprob, IReadOnlyList<TopLogprob> TopLogprobs);

/// <summary>
/// One step of a sequence's output, streamed from the engine loop. The non-streaming response is the aggregation
/// of these, so stop strings, usage and finish reasons share one code path.
/// <see cref="Text"/> is always whole UTF-8 code points and never contains (part of) a matched stop string.
/// The last update has <see cref="FinishReason"/> and <see cref="Usage"/> set.
/// </summary>
public sealed record GenerationUpdate
{
    public string Text { get; init; } = "";
    /// <summary>Logprobs of the tokens whose text this update releases (only when requested).</summary>
    public IReadOnlyList<TokenLogprob>? Logprobs { get; init; }
    /// <summary>Sent once, when the prompt is decoded, to requests with <see cref="GenerationRequest.PromptLogprobs"/>:
    /// one entry per prompt token, the first null (no context to predict it from).</summary>
    public IReadOnlyList<TokenLogprob?>? PromptLogprobs { get; init; }
    public FinishReason? FinishReason { get; init; }
    /// <summary>Beam search only, on the final update: the best beams, best first.</summary>
    public IReadOnlyList<BeamResult>? Beams { get; init; }
    public Usage? Usage { get; init; }
    /// <summary>Set on the final update: where the time went (metrics, llama-server style "timings").</summary>
    public GenerationTimings? Timings { get; init; }

    public bool IsFinal => FinishReason is not null;
}

/// <summary>Durations of one sequence's life in the engine.</summary>
/// <param name="Queued">From submission until the sequence got a slot.</param>
/// <param name="TimeToFirstToken">From submission until the first generated token was sampled (queue + prefill).</param>
/// <param name="Total">From submission until the last token.</param>
/// <param name="Prefill">From admission until the prompt was fully decoded.</param>
public sealed record GenerationTimings(TimeSpan Queued, TimeSpan TimeToFirstToken, TimeSpan Total, TimeSpan Prefill);

/// <summary>One finished beam: its text (stop strings applied), token logprobs when asked for, the sum of its tokens'
/// logprobs (end-of-generation included), how it ended and how many tokens it generated.</summary>
public sealed record BeamResult(string Text, IReadOnlyList<TokenLogprob>? Logprobs, double CumulativeLogprob, FinishReason FinishReason, int Tokens);
