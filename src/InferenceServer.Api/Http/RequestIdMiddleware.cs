using InferenceServer.OpenAI.Ids;

namespace InferenceServer.Api.Http;

/// <summary>Echoes a sane incoming x-request-id or makes one, and sets it on the response.</summary>
internal sealed class RequestIdMiddleware(RequestDelegate next, IIdGenerator ids)
{
    public const string HeaderName = "x-request-id";

    public Task InvokeAsync(HttpContext context)
    {
        var incoming = context.Request.Headers[HeaderName].ToString();
        var id = IsSane(incoming) ? incoming : ids.NewId(IdPrefixes.Request);
        context.Response.Headers[HeaderName] = id;
        return next(context);
    }

    private static bool IsSane(string value) =>
        value.Length is > 0 and <= 128 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
}
