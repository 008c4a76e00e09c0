using System.Net;
using System.Text;
using System.Text.Json;

namespace InferenceServer.Api.Tests.Observability.RealServer;

/// <summary>Result of reading one SSE chat stream to its end.</summary>
public sealed record StreamResult(HttpStatusCode Status, IReadOnlyList<string> Events, string? FinishReason, bool SawDone);

/// <summary>Chat requests against the real server, with <c>ignore_eos</c> so generation lengths are exact.</summary>
public static class ChatRequests
{
    public static StringContent Body(int maxTokens, bool stream, string? model = ServerProcess.ModelId)
    {
        var body = new Dictionary<string, object?>
        {
            ["model"] = model,
            ["messages"] = new[] { new { role = "user", content = "Tell me a long story about the sea." } },
            ["max_tokens"] = maxTokens,
            ["ignore_eos"] = true,
            ["stream"] = stream,
        };
        return new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
    }

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, int maxTokens, bool stream, CancellationToken ct = default) =>
        await client.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Body(maxTokens, stream) },
            HttpCompletionOption.ResponseHeadersRead, ct);

    /// <summary>Opens a streaming request and returns once the first SSE event arrived (the request is running
    /// or at least admitted), with the reader positioned after it.</summary>
    public static async Task<OpenStream> OpenStreamAsync(HttpClient client, int maxTokens, CancellationToken ct)
    {
        var response = await PostAsync(client, maxTokens, stream: true, ct);
        response.EnsureSuccessStatusCode();
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        return new OpenStream(response, reader);
    }
}

/// <summary>An open SSE response.</summary>
public sealed class OpenStream(HttpResponseMessage response, StreamReader reader) : IDisposable
{
    public HttpResponseMessage Response => response;

    /// <summary>Reads until the first data event (the first token was generated).</summary>
    public async Task<string> ReadFirstEventAsync(CancellationToken ct)
    {
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                return line["data: ".Length..];
            }
        }

        throw new InvalidOperationException("The stream ended before its first event.");
    }

    /// <summary>Reads the rest of the stream: every data event, the last non-null finish_reason, and [DONE].</summary>
    public async Task<StreamResult> ReadToEndAsync(CancellationToken ct)
    {
        var events = new List<string>();
        string? finish = null;
        var done = false;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            var data = line["data: ".Length..];
            if (data == "[DONE]")
            {
                done = true;
                continue;
            }

            events.Add(data);
            using var doc = JsonDocument.Parse(data);
            if (doc.RootElement.TryGetProperty("choices", out var choices))
            {
                foreach (var choice in choices.EnumerateArray())
                {
                    if (choice.TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String)
                    {
                        finish = f.GetString();
                    }
                }
            }
        }

        return new StreamResult(response.StatusCode, events, finish, done);
    }

    public void Dispose()
    {
        reader.Dispose();
        response.Dispose();
    }
}
