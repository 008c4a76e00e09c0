using System.Text.Json;
using System.Text.Json.Serialization;
using InferenceServer.OpenAI.Json;

namespace InferenceServer.OpenAI.Protocol;

/// <summary>POST /v1/chat/completions body (OpenAI CreateChatCompletionRequest plus vLLM/llama.cpp-style extras).</summary>
public sealed class ChatCompletionRequest : IHasExtensionData
{
    public string? Model { get; init; }
    public List<ChatMessageDto?>? Messages { get; init; }
    public int? MaxTokens { get; init; }
    public int? MaxCompletionTokens { get; init; }
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    public int? N { get; init; }
    [JsonConverter(typeof(StopConverter))]
    public List<string>? Stop { get; init; }
    public double? PresencePenalty { get; init; }
    public double? FrequencyPenalty { get; init; }
    public Dictionary<string, double>? LogitBias { get; init; }
    public bool? Logprobs { get; init; }
    public int? TopLogprobs { get; init; }
    public long? Seed { get; init; }
    public ResponseFormat? ResponseFormat { get; init; }
    public bool? Stream { get; init; }
    public StreamOptions? StreamOptions { get; init; }
    public List<JsonElement>? Tools { get; init; }
    public JsonElement? ToolChoice { get; init; }
    public bool? ParallelToolCalls { get; init; }
    public List<JsonElement>? Functions { get; init; }
    public JsonElement? FunctionCall { get; init; }
    public List<string>? Modalities { get; init; }
    public JsonElement? Audio { get; init; }
    public string? User { get; init; }

    // Non-OpenAI extensions (as accepted by vLLM and llama-server).
    public int? TopK { get; init; }
    public double? MinP { get; init; }
    public double? RepetitionPenalty { get; init; }
    public bool? IgnoreEos { get; init; }
    /// <summary>vLLM extension: beam search (also implied by beam_width &gt; 1); refused with stream.</summary>
    public bool? UseBeamSearch { get; init; }
    public int? BeamWidth { get; init; }
    public double? LengthPenalty { get; init; }
    /// <summary>Name of a configured prompt template applied around the last user message.</summary>
    public string? PromptTemplate { get; init; }
    /// <summary>Text substituted for "{context}" in the prompt template.</summary>
    public string? Context { get; init; }
    /// <summary>Extra chat-template variables (vLLM and llama-server accept it), e.g. {"enable_thinking": false}.</summary>
    public Dictionary<string, JsonElement>? ChatTemplateKwargs { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

/// <summary>One message of the conversation; which fields apply depends on <see cref="Role"/>.</summary>
public sealed class ChatMessageDto
{
    public string? Role { get; init; }
    [JsonConverter(typeof(MessageContentConverter))]
    public MessageContent? Content { get; init; }
    public string? Name { get; init; }
    public string? Refusal { get; init; }
    public string? ToolCallId { get; init; }
    public JsonElement? ToolCalls { get; init; }
    /// <summary>An assistant turn's reasoning (vLLM and llama-server accept it in the history).</summary>
    public string? ReasoningContent { get; init; }
    public JsonElement? FunctionCall { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

/// <summary>Message content: a plain string or an array of typed parts (text, image_url, input_audio, file).</summary>
public sealed record MessageContent
{
    public string? Text { get; init; }
    public IReadOnlyList<ContentPart>? Parts { get; init; }

    public static MessageContent FromText(string text) => new() { Text = text };
    public static MessageContent FromParts(IReadOnlyList<ContentPart> parts) => new() { Parts = parts };
}

public sealed class ContentPart
{
    public string? Type { get; init; }
    public string? Text { get; init; }
    public JsonElement? ImageUrl { get; init; }
    public JsonElement? InputAudio { get; init; }
    public JsonElement? File { get; init; }
    public string? Refusal { get; init; }
}

/// <summary>response_format: "text", "json_object" (any JSON object) or "json_schema".</summary>
public sealed class ResponseFormat
{
    public string? Type { get; init; }
    public JsonSchemaFormat? JsonSchema { get; init; }
}

/// <summary>response_format.json_schema: name (required, up to 64 of [a-zA-Z0-9_-]), description, schema, strict.</summary>
public sealed class JsonSchemaFormat
{
    public string? Name { get; init; }
    public string? Description { get; init; }
    public JsonElement? Schema { get; init; }
    public bool? Strict { get; init; }
}

public sealed class StreamOptions
{
    public bool? IncludeUsage { get; init; }
    public bool? IncludeObfuscation { get; init; }
}

/// <summary>Requests that keep the fields they did not recognise (logged as ignored).</summary>
public interface IHasExtensionData
{
    Dictionary<string, JsonElement>? ExtensionData { get; }
}
