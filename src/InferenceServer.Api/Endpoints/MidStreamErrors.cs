using InferenceServer.Api.Http;
using InferenceServer.Api.Streaming;
using InferenceServer.Core.Errors;
using InferenceServer.OpenAI.Mapping;

namespace InferenceServer.Api.Endpoints;

/// <summary>An error after the SSE stream started: an error event, then [DONE].</summary>
internal static class MidStreamErrors
{
    public static async Task WriteAsync(SseWriter sse, Exception exception, string requestId, ILogger logger)
    {
        ApiLog.StreamFailed(logger, requestId, exception);
        var error = exception is InferenceException ie ? ErrorMapper.Map(ie, 1) : ErrorMapper.Internal();
        try
        {
            await sse.WriteErrorAsync(error.Body, CancellationToken.None);
            await sse.WriteDoneAsync(CancellationToken.None);
        }
        catch (Exception)
        {
            // The connection failed too; nothing more can be sent.
        }
    }
}
