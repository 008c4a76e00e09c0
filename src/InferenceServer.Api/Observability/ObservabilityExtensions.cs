using InferenceServer.Api.Observability.Health;
using InferenceServer.Api.Observability.Logging;
using InferenceServer.Api.Observability.Metrics;
using InferenceServer.Api.Observability.Shutdown;
using InferenceServer.Api.Observability.Swagger;
using InferenceServer.Api.Observability.Tracing;

namespace InferenceServer.Api.Observability;

/// <summary>
/// Operating the server like production: structured logs (Serilog), metrics (OpenTelemetry + Prometheus at
/// /metrics, with vLLM-compatible gauges), traces (OTLP when configured), health probes, Swagger and graceful
/// drain on SIGTERM. Program.cs calls <see cref="AddServerObservability"/> before Build and
/// <see cref="MapServerObservability"/> right after it (before the API endpoints are mapped).
/// </summary>
public static class ObservabilityExtensions
{
    public static WebApplicationBuilder AddServerObservability(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddServerLogging();
        builder.AddServerShutdown();
        builder.AddServerHealth();
        builder.AddServerSwagger();
        var otel = builder.Services.AddOpenTelemetry();
        builder.AddServerMetrics(otel);
        builder.AddServerTracing(otel);
        return builder;
    }

    public static WebApplication MapServerObservability(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseServerRequestLogging();
        app.UseServerDraining();
        app.MapServerSwagger();
        app.MapServerHealth();
        app.MapServerMetrics();
        return app;
    }
}
