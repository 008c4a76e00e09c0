using InferenceServer.Core.Errors;
using InferenceServer.OpenAI.Protocol;

namespace InferenceServer.OpenAI.Mapping;

/// <summary>How an error goes on the wire: status, body, and retry hints.</summary>
/// <param name="RetryAfterSeconds">Retry-After header value, when the condition is transient.</param>
/// <param name="ShouldRetry">x-should-retry header value, when clients must be told explicitly.</param>
public sealed record WireError(int StatusCode, ErrorResponse Body, int? RetryAfterSeconds, bool? ShouldRetry);

/// <summary>The one table from <see cref="InferenceErrorKind"/> to HTTP status, OpenAI error type and code.</summary>
public static class ErrorMapper
{
    /// <summary>The type of transient 503s (loading, draining), as llama-server names it.</summary>
    public const string UnavailableType = "unavailable_error";

    public const string GenericServerError = "The server had an error while processing your request. Sorry about that!";

    public static WireError Map(InferenceException ex, int retryAfterSeconds)
    {
        var retry = Math.Max(1, retryAfterSeconds);
        return ex.Kind switch
        {
            InferenceErrorKind.InvalidRequest => Error(400, ex.Message, "invalid_request_error", ex.Param, ex.Code),
            InferenceErrorKind.ContextLengthExceeded => Error(400, ex.Message, "invalid_request_error", ex.Param ?? "messages", ex.Code ?? "context_length_exceeded"),
            InferenceErrorKind.ModelNotFound => Error(404, ex.Message, "invalid_request_error", ex.Param ?? "model", ex.Code ?? "model_not_found"),
            InferenceErrorKind.QueueFull => Error(429, ex.Message, "rate_limit_error", ex.Param, ex.Code ?? "rate_limit_exceeded", retry),
            InferenceErrorKind.ModelNotReady => Error(503, ex.Message, UnavailableType, ex.Param, ex.Code ?? "model_not_ready", retry),
            InferenceErrorKind.ShuttingDown => Error(503, ex.Message, UnavailableType, ex.Param, ex.Code ?? "server_shutting_down", retry),
            _ => Internal(),
        };
    }

    /// <summary>500 with a generic message: details stay in the server log.</summary>
    public static WireError Internal() => Error(500, GenericServerError, "server_error", null, null, shouldRetry: false);

    public static WireError Error(int status, string message, string type, string? param, string? code, int? retryAfter = null, bool? shouldRetry = null) =>
        new(status, new ErrorResponse(new ErrorBody(message, type, param, code)), retryAfter, shouldRetry);

    /// <summary>OpenAI error type for metrics ("invalid_request_error", "rate_limit_error", ...).</summary>
    public static string ErrorType(InferenceException ex) => Map(ex, 1).Body.Error.Type;
}
