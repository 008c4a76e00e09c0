using InferenceServer.Core.Engine;
using InferenceServer.Api.Security;
using InferenceServer.OpenAI.Json;
using InferenceServer.OpenAI.Mapping;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace InferenceServer.Api.Observability.Health;

/// <summary>
/// Probes. GET /health answers like llama-server (503 "Loading model" until the model is ready, then
/// {"status":"ok"}), for tools that poll it; GET /health/live is 200 while the process serves HTTP; GET
/// /health/ready is 200 only while the engine admits requests (503 while loading or draining).
/// </summary>
public static class HealthSetup
{
    public const string ReadyTag = "ready";
    public const string LiveTag = "live";

    public static WebApplicationBuilder AddServerHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck<EngineReadinessHealthCheck>("engine", tags: [ReadyTag]);
        return builder;
    }

    public static WebApplication MapServerHealth(this WebApplication app)
    {
        var group = app.MapGroup("/health").WithTags("Health").AllowWithoutApiKey();

        group.MapGet("", (HttpContext context, IServiceProvider services) => LlamaServerHealth(context, services))
            .WithName("GetHealth")
            .WithSummary("llama-server compatible health: 200 {\"status\":\"ok\"} when the model is ready, else 503.")
            .Produces<HealthOkResponse>(StatusCodes.Status200OK)
            .Produces<InferenceServer.OpenAI.Protocol.ErrorResponse>(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/live", (HealthCheckService health, CancellationToken ct) => Report(health, LiveTag, ct))
            .WithName("GetLiveness")
            .WithSummary("Liveness: 200 while the process serves HTTP.")
            .Produces<HealthReportResponse>(StatusCodes.Status200OK);

        group.MapGet("/ready", (HealthCheckService health, CancellationToken ct) => Report(health, ReadyTag, ct))
            .WithName("GetReadiness")
            .WithSummary("Readiness: 200 when the model is loaded and the engine admits requests; 503 while loading or draining.")
            .Produces<HealthReportResponse>(StatusCodes.Status200OK)
            .Produces<HealthReportResponse>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    /// <summary>200 {"status":"ok"} when ready; otherwise 503 with Retry-After and the OpenAI error object (the same
    /// body every other 503 of this server has), code model_not_ready or server_shutting_down.</summary>
    private static IResult LlamaServerHealth(HttpContext context, IServiceProvider services)
    {
        var engine = services.GetService<IInferenceEngine>();
        if (engine is { IsReady: true })
        {
            return Results.Json(new HealthOkResponse("ok"), ObservabilityJsonContext.Default.HealthOkResponse);
        }

        var draining = services.GetService<Shutdown.DrainState>() is { IsDraining: true };
        var error = draining
            ? ErrorMapper.Error(StatusCodes.Status503ServiceUnavailable, "Shutting down", ErrorMapper.UnavailableType, null, "server_shutting_down", 1)
            : ErrorMapper.Error(StatusCodes.Status503ServiceUnavailable, "Loading model", ErrorMapper.UnavailableType, null, "model_not_ready", 1);
        context.Response.Headers.RetryAfter = "1";
        return Results.Json(error.Body, OpenAiJsonContext.Default.ErrorResponse, statusCode: error.StatusCode);
    }

    private static async Task<IResult> Report(HealthCheckService health, string tag, CancellationToken ct)
    {
        var report = await health.CheckHealthAsync(check => check.Tags.Contains(tag), ct);
        var body = new HealthReportResponse(
            report.Status.ToString(),
            report.Entries.ToDictionary(
                e => e.Key,
                e => new HealthCheckEntry(e.Value.Status.ToString(), e.Value.Description)));
        var status = report.Status == HealthStatus.Unhealthy
            ? StatusCodes.Status503ServiceUnavailable
            : StatusCodes.Status200OK;
        return Results.Json(body, ObservabilityJsonContext.Default.HealthReportResponse, statusCode: status);
    }
}
