namespace InferenceServer.Core.Errors;

/// <summary>The error vocabulary shared by the engine and the HTTP layer (which maps each kind to a status and
/// an OpenAI error object).</summary>
public enum InferenceErrorKind
{
    /// <summary>400 invalid_request_error.</summary>
    InvalidRequest,
    /// <summary>400, code "context_length_exceeded".</summary>
    ContextLengthExceeded,
    /// <summary>404, code "model_not_found".</summary>
    ModelNotFound,
    /// <summary>429 with Retry-After: the admission queue is full.</summary>
    QueueFull,
    /// <summary>503: the model is still loading.</summary>
    ModelNotReady,
    /// <summary>503: draining for shutdown.</summary>
    ShuttingDown,
    /// <summary>500 server_error.</summary>
    Internal,
}

public class InferenceException : Exception
{
    public InferenceException(InferenceErrorKind kind, string message, string? param = null, string? code = null, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Param = param;
        Code = code;
    }

    public InferenceErrorKind Kind { get; }
    /// <summary>The request field at fault (OpenAI "param"), if any.</summary>
    public string? Param { get; }
    /// <summary>Machine-readable code (OpenAI "code"); null lets the mapper choose the kind's default.</summary>
    public string? Code { get; }

    public static InferenceException Invalid(string message, string? param = null, string? code = null) =>
        new(InferenceErrorKind.InvalidRequest, message, param, code);

    public static InferenceException ContextLength(int promptTokens, int requested, int contextSize, string param = "messages") =>
        new(InferenceErrorKind.ContextLengthExceeded,
            $"This model's maximum context length is {contextSize} tokens. However, you requested {promptTokens + requested} tokens ({promptTokens} in the prompt, {requested} for the completion). Please reduce the length of the prompt or the completion.",
            param, "context_length_exceeded");
}
