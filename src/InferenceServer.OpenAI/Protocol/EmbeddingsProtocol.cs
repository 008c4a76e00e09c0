using System.Text.Json;
using System.Text.Json.Serialization;
using InferenceServer.OpenAI.Json;

namespace InferenceServer.OpenAI.Protocol;

/// <summary>POST /v1/embeddings body (OpenAI CreateEmbeddingRequest).</summary>
public sealed class EmbeddingRequest : IHasExtensionData
{
    public string? Model { get; init; }
    [JsonConverter(typeof(PromptInputConverter))]
    public PromptInput? Input { get; init; }
    public string? EncodingFormat { get; init; }
    public int? Dimensions { get; init; }
    public string? User { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

public sealed record EmbeddingResponse
{
    public string Object { get; init; } = "list";
    public required IReadOnlyList<EmbeddingData> Data { get; init; }
    public required string Model { get; init; }
    public required EmbeddingUsage Usage { get; init; }
}

/// <summary><see cref="Embedding"/> is written as a float array, or as a base64 string of little-endian float32
/// bytes when encoding_format is "base64" (<see cref="EmbeddingVectorConverter"/>).</summary>
public sealed record EmbeddingData
{
    public string Object { get; init; } = "embedding";
    public required int Index { get; init; }
    [JsonConverter(typeof(EmbeddingVectorConverter))]
    public required EmbeddingVector Embedding { get; init; }
}

/// <summary>One vector and how it goes on the wire.</summary>
public sealed record EmbeddingVector(float[] Values, bool Base64);

public sealed record EmbeddingUsage(int PromptTokens, int TotalTokens);
