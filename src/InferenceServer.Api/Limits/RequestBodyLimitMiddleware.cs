using InferenceServer.Api.Errors;
using InferenceServer.OpenAI.Mapping;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace InferenceServer.Api.Limits;

/// <summary>
/// Enforces <see cref="LimitsOptions.MaxRequestBodyBytes"/>: a declared Content-Length above it is a 413 before a
/// byte of the body is read; a chunked body is cut off by the server's own limit (set here per request, so the
/// same bound holds under Kestrel and in-process test hosts) and becomes a 413 through the exception handler.
/// </summary>
internal sealed class RequestBodyLimitMiddleware(RequestDelegate next, IOptions<LimitsOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        var limit = options.Value.MaxRequestBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            context.Response.Headers.Connection = "close";
            return ErrorWriter.WriteAsync(context, TooLarge(limit));
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        return next(context);
    }

    internal static WireError TooLarge(long limit) => ErrorMapper.Error(413,
        $"Request body too large: the limit is {limit} bytes (Limits:MaxRequestBodyBytes).", "invalid_request_error", null, "request_too_large");
}
