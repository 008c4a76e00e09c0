using System.Text.Json;
using System.Text.Json.Serialization;
using InferenceServer.OpenAI.Json;

namespace InferenceServer.OpenAI.Protocol;

/// <summary>POST /v1/completions body (OpenAI CreateCompletionRequest plus extras).</summary>
public sealed class CompletionRequest : IHasExtensionData
{
    public string? Model { get; init; }
    [JsonConverter(typeof(PromptInputConverter))]
    public PromptInput? Prompt { get; init; }
    public int? MaxTokens { get; init; }
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    public int? N { get; init; }
    public int? BestOf { get; init; }
    public bool? Echo { get; init; }
    public int? Logprobs { get; init; }
    [JsonConverter(typeof(StopConverter))]
    public List<string>? Stop { get; init; }
    public double? PresencePenalty { get; init; }
    public double? FrequencyPenalty { get; init; }
    public Dictionary<string, double>? LogitBias { get; init; }
    public long? Seed { get; init; }
    public bool? Stream { get; init; }
    public StreamOptions? StreamOptions { get; init; }
    public string? Suffix { get; init; }
    public string? User { get; init; }

    public int? TopK { get; init; }
    public double? MinP { get; init; }
    public double? RepetitionPenalty { get; init; }
    public bool? IgnoreEos { get; init; }
    /// <summary>vLLM extension: beam search (also implied by beam_width &gt; 1); refused with stream.</summary>
    public bool? UseBeamSearch { get; init; }
    public int? BeamWidth { get; init; }
    public double? LengthPenalty { get; init; }
    public string? PromptTemplate { get; init; }
    public string? Context { get; init; }
    /// <summary>Extension (as in vLLM): the chat endpoint's response_format, for text completions.</summary>
    public ResponseFormat? ResponseFormat { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

/// <summary>A prompt (or embeddings input): string, string[], int[] or int[][]. Exactly one of the lists is set.</summary>
public sealed record PromptInput
{
    public IReadOnlyList<string>? Texts { get; init; }
    public IReadOnlyList<IReadOnlyList<int>>? TokenLists { get; init; }

    public int Count => Texts?.Count ?? TokenLists?.Count ?? 0;

    public static PromptInput FromTexts(params string[] texts) => new() { Texts = texts };
    public static PromptInput FromTokens(params IReadOnlyList<int>[] tokens) => new() { TokenLists = tokens };
}
