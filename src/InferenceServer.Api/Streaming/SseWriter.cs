using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using InferenceServer.OpenAI.Json;
using InferenceServer.OpenAI.Protocol;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace InferenceServer.Api.Streaming;

/// <summary>
/// The one place SSE framing lives: text/event-stream, no buffering, every event `data: {json}\n\n` flushed
/// at once, the stream ends with `data: [DONE]\n\n`. An error after the first byte goes out as a
/// `data: {"error":{...}}` event followed by [DONE].
/// A client that stops reading gets backpressure first (each write waits while the socket and the server's response
/// buffer are full, and the engine's per-sequence output buffer absorbs what is generated meanwhile); a write that
/// waits longer than <paramref name="stallTimeout"/> aborts the connection, which cancels the request's sequences.
/// </summary>
public sealed class SseWriter(HttpResponse response, TimeSpan? stallTimeout = null, ILogger? logger = null)
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    public bool Started { get; private set; }

    /// <summary>Sends the 200 status line and headers.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        response.HttpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.StartAsync(cancellationToken);
        Started = true;
    }

    public Task WriteEventAsync<T>(T payload, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write(DataPrefix);
        using (var json = new Utf8JsonWriter(buffer))
        {
            JsonSerializer.Serialize(json, payload, typeInfo);
        }

        buffer.Write(EventEnd);
        return WriteRawAsync(buffer.WrittenMemory, cancellationToken);
    }

    public Task WriteErrorAsync(ErrorResponse error, CancellationToken cancellationToken) =>
        WriteEventAsync(error, OpenAiJsonContext.Default.ErrorResponse, cancellationToken);

    public Task WriteDoneAsync(CancellationToken cancellationToken) => WriteRawAsync(Done, cancellationToken);

    /// <summary>An SSE comment line (e.g. keep-alive ": ping"); SDK parsers skip it.</summary>
    public Task WriteCommentAsync(string comment, CancellationToken cancellationToken) =>
        WriteRawAsync(System.Text.Encoding.UTF8.GetBytes($": {comment}\n\n"), cancellationToken);

    private async Task WriteRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (stallTimeout is not { } timeout)
        {
            await response.Body.WriteAsync(bytes, cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
            return;
        }

        try
        {
            // Completed writes (the usual case) return at once; only a blocked write starts the timer.
            await response.Body.WriteAsync(bytes, cancellationToken).AsTask().WaitAsync(timeout, cancellationToken);
            await response.Body.FlushAsync(cancellationToken).WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            var context = response.HttpContext;
            if (logger is not null)
            {
                Http.ApiLog.ClientStalled(logger, context.TraceIdentifier, (int)timeout.TotalSeconds);
            }

            context.Abort();
            throw new OperationCanceledException("The client stopped reading the stream.", context.RequestAborted);
        }
    }
}
