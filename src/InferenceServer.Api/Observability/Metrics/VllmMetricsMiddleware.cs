using System.Text;
using InferenceServer.Core.Engine;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Options;
using Microsoft.Extensions.Options;

namespace InferenceServer.Api.Observability.Metrics;

/// <summary>
/// Runs in the /metrics branch in front of the OpenTelemetry Prometheus exporter: buffers the exporter's answer
/// and inserts the vLLM-compatible gauges (<see cref="VllmGaugeRenderer"/>), before "# EOF" when the exporter
/// negotiated OpenMetrics. The exporter is asked for an uncompressed answer. Without an engine in DI the
/// exporter's answer passes through unchanged.
/// </summary>
public sealed class VllmMetricsMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var engine = context.RequestServices.GetService<IInferenceEngine>();
        if (engine is null)
        {
            await next(context);
            return;
        }

        // The exporter gzips when asked (Prometheus always asks): we need its text to insert our lines, and a
        // scrape is small, so ask it for identity encoding.
        context.Request.Headers.AcceptEncoding = "identity";
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }

        var payload = buffer.ToArray();
        var encoded = !string.IsNullOrEmpty(context.Response.Headers.ContentEncoding) && context.Response.Headers.ContentEncoding != "identity";
        if (context.Response.StatusCode == StatusCodes.Status200OK && !encoded && TrySnapshot(engine) is { } snapshot)
        {
            var options = context.RequestServices.GetService<IOptions<ModelOptions>>()?.Value ?? new ModelOptions();
            var lines = VllmGaugeRenderer.Render(snapshot, ServedModelName.Resolve(engine, options));
            payload = Encoding.UTF8.GetBytes(VllmGaugeRenderer.InsertBeforeEof(Encoding.UTF8.GetString(payload), lines));
        }

        if (!context.Response.HasStarted)
        {
            context.Response.ContentLength = payload.Length;
        }

        await original.WriteAsync(payload, context.RequestAborted);
    }

    private static EngineSnapshot? TrySnapshot(IInferenceEngine engine)
    {
        try
        {
            return engine.GetSnapshot();
        }
        catch (Exception ex) when (ex is InvalidOperationException or InferenceException or ObjectDisposedException)
        {
            return null;
        }
    }
}
