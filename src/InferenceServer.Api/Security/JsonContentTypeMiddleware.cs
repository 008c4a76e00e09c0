using InferenceServer.Api.Errors;

namespace InferenceServer.Api.Security;

/// <summary>
/// Refuses API POSTs whose Content-Type is not JSON with 415, before the body is read. A browser sends
/// text/plain, form or multipart POSTs cross-origin without asking (no CORS preflight); insisting on
/// application/json means a foreign page cannot spend this server's compute unless CORS allows its origin.
/// </summary>
internal sealed class JsonContentTypeMiddleware(RequestDelegate next, SecurityMetrics metrics)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || context.GetEndpoint() is null || IsJson(context.Request.ContentType))
        {
            return next(context);
        }

        metrics.Rejected(SecurityMetrics.ReasonContentType);
        return ErrorWriter.WriteAsync(context, SecurityErrors.UnsupportedMediaType(context.Request.ContentType));
    }

    internal static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var mediaType = contentType.AsSpan();
        var semicolon = mediaType.IndexOf(';');
        if (semicolon >= 0)
        {
            mediaType = mediaType[..semicolon];
        }

        mediaType = mediaType.Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }
}
