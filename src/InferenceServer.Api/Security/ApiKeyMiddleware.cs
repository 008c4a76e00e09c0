using InferenceServer.Api.Errors;

namespace InferenceServer.Api.Security;

/// <summary>
/// When keys are configured, every routed endpoint without <see cref="OpenEndpointMetadata"/> needs
/// <c>Authorization: Bearer &lt;key&gt;</c>; otherwise 401 with the OpenAI error (<c>invalid_api_key</c>).
/// CORS preflights never reach this (the CORS middleware answers them first).
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, ApiKeyStore keys, SecurityMetrics metrics)
{
    public const string AuthenticatedKeyItem = "InferenceServer.ApiKeyPartition";

    public Task InvokeAsync(HttpContext context)
    {
        if (!keys.Enabled || !context.RequiresApiKey())
        {
            return next(context);
        }

        var presented = BearerToken(context.Request.Headers.Authorization.ToString());
        if (presented.IsEmpty || !keys.IsValid(presented))
        {
            metrics.Rejected(SecurityMetrics.ReasonApiKey);
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return ErrorWriter.WriteAsync(context, presented.IsEmpty ? SecurityErrors.MissingKey() : SecurityErrors.WrongKey());
        }

        context.Items[AuthenticatedKeyItem] = ApiKeyStore.PartitionOf(presented);
        return next(context);
    }

    internal static ReadOnlySpan<char> BearerToken(string header)
    {
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header.AsSpan(scheme.Length).Trim() : default;
    }
}
