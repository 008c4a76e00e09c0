using InferenceServer.OpenAI.Mapping;

namespace InferenceServer.Api.Security;

/// <summary>The OpenAI error objects the security edge answers with (same wording and codes as api.openai.com).</summary>
internal static class SecurityErrors
{
    public static WireError MissingKey() => ErrorMapper.Error(401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        "invalid_request_error", null, "invalid_api_key");

    /// <summary>The presented key is not echoed (OpenAI shows a masked key; this server shows none).</summary>
    public static WireError WrongKey() => ErrorMapper.Error(401,
        "Incorrect API key provided. Check the key this server was configured with.",
        "invalid_request_error", null, "invalid_api_key");

    public static WireError UnsupportedMediaType(string? contentType) => ErrorMapper.Error(415,
        contentType is null
            ? "The request has no Content-Type header; send the JSON body with 'Content-Type: application/json'."
            : $"Unsupported Content-Type '{contentType}'; send the JSON body with 'Content-Type: application/json'.",
        "invalid_request_error", null, "unsupported_media_type");

    public static WireError RateLimited(string what, int retryAfterSeconds) => ErrorMapper.Error(429,
        $"Rate limit reached for this API key: {what}. Retry after {retryAfterSeconds} s.",
        "rate_limit_error", null, "rate_limit_exceeded", retryAfterSeconds);
}
