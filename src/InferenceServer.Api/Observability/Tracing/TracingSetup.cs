using InferenceServer.Api.Observability.Logging;
using InferenceServer.Api.Observability.Metrics;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace InferenceServer.Api.Observability.Tracing;

/// <summary>
/// Traces: ASP.NET Core server spans (probes and scrapes filtered out) and the engine's spans from the
/// "InferenceServer.Engine" ActivitySource. Exported over OTLP only when an endpoint is configured
/// (<see cref="OtlpEndpoint"/>); without one, spans still give log events their trace and span ids.
/// </summary>
public static class TracingSetup
{
    /// <summary>The ActivitySource the engine creates its spans on.</summary>
    public const string EngineActivitySourceName = Core.Diagnostics.InferenceMetricsNames.EngineActivitySourceName;

    public static WebApplicationBuilder AddServerTracing(this WebApplicationBuilder builder, IOpenTelemetryBuilder otel)
    {
        var otlp = OtlpEndpoint.From(builder.Configuration);
        otel.WithTracing(tracing =>
        {
            tracing.AddSource(EngineActivitySourceName)
                .AddAspNetCoreInstrumentation(options =>
                {
                    options.Filter = http => !LoggingSetup.IsInfrastructurePath(http.Request.Path);
                    options.RecordException = true;
                });
            if (otlp is not null)
            {
                tracing.AddOtlpExporter(o => otlp.Apply(o, "v1/traces"));
            }
        });
        return builder;
    }
}
