using Microsoft.Extensions.Logging;

namespace InferenceServer.Api.Http;

/// <summary>Source-generated log messages of the HTTP layer (event ids 2000-2099).</summary>
internal static partial class ApiLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Debug, Message = "Request {Endpoint} had fields that were ignored: {Fields}")]
    public static partial void IgnoredFields(ILogger logger, string endpoint, string fields);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Generation failed after the stream started (request {RequestId})")]
    public static partial void StreamFailed(ILogger logger, string requestId, Exception exception);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "Client went away during request {RequestId}")]
    public static partial void ClientGone(ILogger logger, string requestId);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Unhandled exception on {Method} {Path}")]
    public static partial void Unhandled(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Request rejected with {StatusCode} {ErrorType}: {Message}")]
    public static partial void Rejected(ILogger logger, int statusCode, string errorType, string message);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Debug, Message = "Rendered prompt for {RequestId}: {Prompt}")]
    public static partial void RenderedPrompt(ILogger logger, string requestId, string prompt);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Client stopped reading the stream of request {RequestId} for {Seconds} s: connection closed, sequences cancelled")]
    public static partial void ClientStalled(ILogger logger, string requestId, int seconds);
}
