using System.Text.Json.Serialization;

namespace InferenceServer.Api.Observability.Shutdown;

/// <summary>OpenAI error body answered to new /v1 requests while the server drains.</summary>
public sealed record DrainingErrorResponse([property: JsonPropertyName("error")] DrainingErrorBody Error);

public sealed record DrainingErrorBody(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("param")] string? Param,
    [property: JsonPropertyName("code")] string? Code);
