using InferenceServer.Core.Diagnostics;
using InferenceServer.Core.Engine;
using Microsoft.Extensions.DependencyInjection.Extensions;
using InferenceServer.Api.Security;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace InferenceServer.Api.Observability.Metrics;

/// <summary>
/// OpenTelemetry metrics: the "InferenceServer" meter (<see cref="InferenceMetrics"/>), ASP.NET Core hosting and
/// Kestrel meters, .NET runtime and process instrumentation, exported for Prometheus at GET /metrics together with
/// the vLLM-compatible gauges (<see cref="VllmMetricsMiddleware"/>).
/// </summary>
public static class MetricsSetup
{
    public const string MetricsPath = "/metrics";
    public const string DefaultServiceName = "inferenceserver";

    public static WebApplicationBuilder AddServerMetrics(this WebApplicationBuilder builder, IOpenTelemetryBuilder otel)
    {
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<InferenceMetrics>();
        builder.Services.Replace(ServiceDescriptor.Singleton<IRequestMetrics>(sp => sp.GetRequiredService<InferenceMetrics>()));

        var serviceName = builder.Configuration["OpenTelemetry:ServiceName"] ?? DefaultServiceName;
        var version = typeof(MetricsSetup).Assembly.GetName().Version?.ToString();
        var otlp = OtlpEndpoint.From(builder.Configuration);

        otel.ConfigureResource(resource => resource.AddService(serviceName, serviceVersion: version))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(InferenceMetricsNames.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
                    .AddRuntimeInstrumentation()
                    .AddProcessInstrumentation()
                    .AddPrometheusLintRenames()
                    .AddPrometheusExporter(options =>
                    {
                        // Gauges must show the engine state at scrape time, not a cached copy.
                        options.ScrapeResponseCacheDurationMilliseconds = 0;
                        options.ScrapeEndpointPath = MetricsPath;
                    });
                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(o => otlp.Apply(o, "v1/metrics"));
                }
            });
        return builder;
    }

    public static WebApplication MapServerMetrics(this WebApplication app)
    {
        // The observable gauges exist once InferenceMetrics is constructed: do it now, not on the first request.
        if (app.Services.GetService<IInferenceEngine>() is not null)
        {
            _ = app.Services.GetRequiredService<InferenceMetrics>();
        }

        var endpoint = app.MapPrometheusScrapingEndpoint(
                MetricsPath,
                meterProvider: null,
                configureBranchedPipeline: pipeline => pipeline.UseMiddleware<VllmMetricsMiddleware>(),
                optionsName: null)
            .ExcludeFromDescription();
        if (!Security.SecuritySetup.MetricsNeedKey(app.Configuration))
        {
            endpoint.AllowWithoutApiKey();
        }

        return app;
    }
}
