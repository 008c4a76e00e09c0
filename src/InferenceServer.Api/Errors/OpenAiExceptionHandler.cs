using System.Text.Json;
using InferenceServer.Api.Http;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Options;
using InferenceServer.OpenAI.Mapping;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace InferenceServer.Api.Errors;

/// <summary>The one place exceptions become OpenAI error responses. Never puts exception details on the wire
/// except the messages of <see cref="InferenceException"/>s, which are written for clients.</summary>
internal sealed class OpenAiExceptionHandler(IOptions<EngineOptions> engineOptions, ILogger<OpenAiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client is gone: nobody reads the answer.
            ApiLog.ClientGone(logger, httpContext.TraceIdentifier);
            return true;
        }

        if (httpContext.Response.HasStarted)
        {
            ApiLog.Unhandled(logger, httpContext.Request.Method, httpContext.Request.Path, exception);
            return true;
        }

        var error = Map(exception);
        if (error.StatusCode >= 500 && exception is not InferenceException)
        {
            ApiLog.Unhandled(logger, httpContext.Request.Method, httpContext.Request.Path, exception);
        }
        else
        {
            ApiLog.Rejected(logger, error.StatusCode, error.Body.Error.Type, error.Body.Error.Message);
        }

        await ErrorWriter.WriteAsync(httpContext, error);
        return true;
    }

    public WireError Map(Exception exception) => exception switch
    {
        InferenceException ie => ErrorMapper.Map(ie, engineOptions.Value.RetryAfterSeconds),
        BadHttpRequestException bad => ErrorMapper.Error(bad.StatusCode is >= 400 and < 500 ? bad.StatusCode : 400, BadRequestMessage(bad), "invalid_request_error", null, null),
        JsonException json => ErrorMapper.Map(JsonBody.Translate(json), 1),
        _ => ErrorMapper.Internal(),
    };

    private static string BadRequestMessage(BadHttpRequestException bad) =>
        bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request body too large." : "The request could not be read.";
}
