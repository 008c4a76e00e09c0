using System.Text.Json.Serialization;

namespace InferenceServer.OpenAI.Protocol;

/// <summary>The "chat.completion" object (non-streaming response).</summary>
public sealed record ChatCompletionResponse
{
    public required string Id { get; init; }
    public string Object { get; init; } = "chat.completion";
    public required long Created { get; init; }
    public required string Model { get; init; }
    public required IReadOnlyList<ChatChoice> Choices { get; init; }
    public required UsageDto Usage { get; init; }
}

public sealed record ChatChoice
{
    public required int Index { get; init; }
    public required AssistantMessage Message { get; init; }
    public ChatLogprobs? Logprobs { get; init; }
    public required string? FinishReason { get; init; }
    /// <summary>Beam search only (extension): the beam's summed token logprobs.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? CumulativeLogprob { get; init; }
}

public sealed record AssistantMessage
{
    public string Role { get; init; } = "assistant";
    public required string? Content { get; init; }
    public string? Refusal { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ToolCallDto>? ToolCalls { get; init; }
}

/// <summary>A call in message.tool_calls: arguments are the JSON text the model wrote.</summary>
public sealed record ToolCallDto
{
    public required string Id { get; init; }
    public string Type { get; init; } = "function";
    public required FunctionCallDto Function { get; init; }
}

public sealed record FunctionCallDto(string Name, string Arguments);

/// <summary>A call in delta.tool_calls: index always; id, type and name only in the call's first delta.</summary>
public sealed record ToolCallDeltaDto
{
    public required int Index { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Id { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Type { get; init; }
    public required FunctionCallDeltaDto Function { get; init; }
}

public sealed record FunctionCallDeltaDto
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }
    public required string Arguments { get; init; }
}

/// <summary>Chat logprobs: one entry per generated token.</summary>
public sealed record ChatLogprobs
{
    public required IReadOnlyList<ChatTokenLogprob>? Content { get; init; }
    public IReadOnlyList<ChatTokenLogprob>? Refusal { get; init; }
}

public sealed record ChatTokenLogprob
{
    public required string Token { get; init; }
    public required double Logprob { get; init; }
    public required IReadOnlyList<int>? Bytes { get; init; }
    public required IReadOnlyList<ChatTopLogprob> TopLogprobs { get; init; }
}

public sealed record ChatTopLogprob
{
    public required string Token { get; init; }
    public required double Logprob { get; init; }
    public required IReadOnlyList<int>? Bytes { get; init; }
}

/// <summary>Token accounting (CompletionUsage).</summary>
public sealed record UsageDto
{
    public required int PromptTokens { get; init; }
    public required int CompletionTokens { get; init; }
    public required int TotalTokens { get; init; }
    public required PromptTokensDetails PromptTokensDetails { get; init; }
}

public sealed record PromptTokensDetails(int CachedTokens);

/// <summary>The "chat.completion.chunk" object (one SSE event).</summary>
public sealed record ChatCompletionChunk
{
    public required string Id { get; init; }
    public string Object { get; init; } = "chat.completion.chunk";
    public required long Created { get; init; }
    public required string Model { get; init; }
    public required IReadOnlyList<ChatChunkChoice> Choices { get; init; }
    /// <summary>Absent unless stream_options.include_usage; then null on every chunk but the last.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ChunkUsage? Usage { get; init; }
}

public sealed record ChatChunkChoice
{
    public required int Index { get; init; }
    public required ChatDelta Delta { get; init; }
    public ChatLogprobs? Logprobs { get; init; }
    public required string? FinishReason { get; init; }
}

/// <summary>Only the fields that changed; the finish chunk carries an empty delta.</summary>
public sealed record ChatDelta
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Role { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Content { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ToolCallDeltaDto>? ToolCalls { get; init; }
}

/// <summary>The usage slot of a chunk: a present-but-null value is written as JSON null.</summary>
[JsonConverter(typeof(Json.ChunkUsageConverter))]
public sealed record ChunkUsage(UsageDto? Value)
{
    public static ChunkUsage Null { get; } = new((UsageDto?)null);
}
