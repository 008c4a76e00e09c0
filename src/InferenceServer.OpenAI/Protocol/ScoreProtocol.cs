using System.Text.Json;
using System.Text.Json.Serialization;
using InferenceServer.OpenAI.Json;

namespace InferenceServer.OpenAI.Protocol;

/// <summary>POST /v1/score body (this server's extension): texts (or token-id lists) to score under the model.</summary>
public sealed class ScoreRequest : IHasExtensionData
{
    public string? Model { get; init; }
    [JsonConverter(typeof(PromptInputConverter))]
    public PromptInput? Input { get; init; }
    /// <summary>Tokens per window (default: the model's longest sequence).</summary>
    public int? Window { get; init; }
    /// <summary>Tokens between window starts (default: half the window); must be below the window.</summary>
    public int? Stride { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

public sealed record ScoreResponse
{
    public string Object { get; init; } = "list";
    public required IReadOnlyList<ScoreData> Data { get; init; }
    public required string Model { get; init; }
    public required int Window { get; init; }
    public required int Stride { get; init; }
    public required EmbeddingUsage Usage { get; init; }
}

/// <summary>One text's score: its tokens, the tokens scored (all but the first), the mean cross-entropy in nats per
/// scored token, perplexity = exp(cross_entropy), and the windows it took.</summary>
public sealed record ScoreData
{
    public string Object { get; init; } = "score";
    public required int Index { get; init; }
    public required int Tokens { get; init; }
    public required int ScoredTokens { get; init; }
    public required double CrossEntropy { get; init; }
    public required double Perplexity { get; init; }
    public required int Windows { get; init; }
}
