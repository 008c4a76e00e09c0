using System.Text.Json.Serialization;

namespace InferenceServer.Api.Observability.Health;

/// <summary>llama-server's /health body when ready.</summary>
public sealed record HealthOkResponse([property: JsonPropertyName("status")] string Status);

/// <summary>Body of /health/live and /health/ready: overall status and one entry per check.</summary>
public sealed record HealthReportResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("checks")] IReadOnlyDictionary<string, HealthCheckEntry> Checks);

public sealed record HealthCheckEntry(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("description")] string? Description);
