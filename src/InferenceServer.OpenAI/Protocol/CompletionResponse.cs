using System.Text.Json.Serialization;

namespace InferenceServer.OpenAI.Protocol;

/// <summary>The "text_completion" object; the same shape is used for stream chunks.</summary>
public sealed record CompletionResponse
{
    public required string Id { get; init; }
    public string Object { get; init; } = "text_completion";
    public required long Created { get; init; }
    public required string Model { get; init; }
    public required IReadOnlyList<CompletionChoice> Choices { get; init; }
    public required UsageDto Usage { get; init; }
}

public sealed record CompletionChunk
{
    public required string Id { get; init; }
    public string Object { get; init; } = "text_completion";
    public required long Created { get; init; }
    public required string Model { get; init; }
    public required IReadOnlyList<CompletionChoice> Choices { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ChunkUsage? Usage { get; init; }
}

public sealed record CompletionChoice
{
    public required string Text { get; init; }
    public required int Index { get; init; }
    public CompletionLogprobs? Logprobs { get; init; }
    public required string? FinishReason { get; init; }
    /// <summary>Beam search only (extension): the beam's summed token logprobs.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? CumulativeLogprob { get; init; }
}

/// <summary>Legacy logprobs: parallel arrays, top_logprobs as token -> logprob maps. With echo the prompt's tokens
/// come first, and the first prompt token has null in token_logprobs and top_logprobs (nothing predicts it).</summary>
public sealed record CompletionLogprobs
{
    public required IReadOnlyList<string> Tokens { get; init; }
    public required IReadOnlyList<double?> TokenLogprobs { get; init; }
    public required IReadOnlyList<Dictionary<string, double>?> TopLogprobs { get; init; }
    public required IReadOnlyList<int> TextOffset { get; init; }
}
