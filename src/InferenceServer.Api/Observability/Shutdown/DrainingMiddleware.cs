using System.Globalization;
using Microsoft.Extensions.Options;

namespace InferenceServer.Api.Observability.Shutdown;

/// <summary>
/// While draining, answers new /v1 requests with an OpenAI-shaped 503 and Retry-After (clients retry, a load
/// balancer picks another replica) and closes the connection; requests already running are not touched.
/// </summary>
public sealed class DrainingMiddleware(RequestDelegate next, DrainState drain, IOptions<ShutdownOptions> options)
{
    private static readonly DrainingErrorResponse Body = new(new DrainingErrorBody(
        "The server is shutting down; retry the request.", "unavailable_error", null, "server_shutting_down"));

    public Task InvokeAsync(HttpContext context)
    {
        if (!drain.IsDraining || !context.Request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase))
        {
            return next(context);
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        response.Headers.RetryAfter = options.Value.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        response.Headers.Connection = "close";
        response.Headers["x-should-retry"] = "true";
        return response.WriteAsJsonAsync(Body, ObservabilityJsonContext.Default.DrainingErrorResponse, cancellationToken: context.RequestAborted);
    }
}
