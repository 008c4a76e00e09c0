using InferenceServer.Api.Errors;
using InferenceServer.Core.Errors;
using InferenceServer.OpenAI.Mapping;
using Microsoft.Extensions.Options;

namespace InferenceServer.Api.Observability.Shutdown;

/// <summary>
/// While draining, answers new /v1 requests with the OpenAI-shaped 503 and Retry-After the error mapper gives
/// ShuttingDown (clients retry, a load balancer picks another replica) and closes the connection; requests already
/// running are not touched.
/// </summary>
public sealed class DrainingMiddleware(RequestDelegate next, DrainState drain, IOptions<ShutdownOptions> options)
{
    private static readonly InferenceException ShuttingDown =
        new(InferenceErrorKind.ShuttingDown, "The server is shutting down; retry the request.");

    public Task InvokeAsync(HttpContext context)
    {
        if (!drain.IsDraining || !context.Request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase))
        {
            return next(context);
        }

        context.Response.Headers.Connection = "close";
        return ErrorWriter.WriteAsync(context, ErrorMapper.Map(ShuttingDown, options.Value.RetryAfterSeconds));
    }
}
