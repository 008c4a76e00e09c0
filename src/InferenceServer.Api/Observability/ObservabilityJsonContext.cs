using System.Text.Json.Serialization;
using InferenceServer.Api.Observability.Health;

namespace InferenceServer.Api.Observability;

/// <summary>Source-generated JSON for the observability endpoints, independent of the API's JSON options.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(HealthOkResponse))]
[JsonSerializable(typeof(HealthReportResponse))]
internal sealed partial class ObservabilityJsonContext : JsonSerializerContext;
