using InferenceServer.OpenAI.Mapping;
using Microsoft.AspNetCore.Diagnostics;

namespace InferenceServer.Api.Errors;

/// <summary>OpenAI-shaped bodies for body-less error statuses from routing (unknown route 404, wrong method 405).</summary>
internal static class StatusCodeErrors
{
    public static Task WriteAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var route = $"{http.Request.Method} {http.Request.Path}";
        var error = http.Response.StatusCode switch
        {
            StatusCodes.Status404NotFound => ErrorMapper.Error(404, $"Invalid URL ({route})", "invalid_request_error", null, "unknown_url"),
            StatusCodes.Status405MethodNotAllowed => ErrorMapper.Error(405, $"Method not allowed ({route}). Allowed: {http.Response.Headers.Allow}.", "invalid_request_error", null, "method_not_allowed"),
            var s when s >= 500 => ErrorMapper.Internal() with { StatusCode = s },
            var s => ErrorMapper.Error(s, $"Request failed with status {s} ({route}).", "invalid_request_error", null, null),
        };
        return ErrorWriter.WriteAsync(http, error);
    }
}
