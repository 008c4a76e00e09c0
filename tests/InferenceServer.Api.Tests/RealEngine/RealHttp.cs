using System.Net;
using System.Text.Json;
using InferenceServer.TestKit;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests.RealEngine;

/// <summary>One chat result as the tests compare it: the text, the finish reason and the completion token count.</summary>
public sealed record ChatResult(string Text, string? FinishReason, int? CompletionTokens);

/// <summary>Request builders and readers shared by the real-engine tests.</summary>
internal static class RealHttp
{
    public static string ChatBody(string model, string prompt, string extra = "") =>
        "{\"model\":" + JsonSerializer.Serialize(model) + ",\"messages\":[{\"role\":\"user\",\"content\":" + JsonSerializer.Serialize(prompt)
        + "}],\"temperature\":0" + (extra.Length > 0 ? "," + extra : "") + "}";

    public static async Task<ChatResult> ChatAsync(HttpClient client, string body, CancellationToken cancellationToken = default)
    {
        var response = await client.PostAsync("/v1/chat/completions", Json(body), cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {text}");
        var root = JsonDocument.Parse(text).RootElement;
        var choice = root.GetProperty("choices")[0];
        return new ChatResult(
            choice.GetProperty("message").GetProperty("content").GetString() ?? "",
            choice.GetProperty("finish_reason").GetString(),
            root.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    /// <summary>
    /// Streams a chat request (adds "stream":true and usage) and checks the SSE framing. With
    /// <paramref name="validUtf8Model"/> (a model whose output is valid UTF-8, e.g. the scripted one) no chunk may carry
    /// U+FFFD: a multi-byte character split over tokens must be held back until complete, never sent in halves. Random
    /// weights can emit byte tokens that never form valid UTF-8, so U+FFFD is legitimate there.
    /// </summary>
    public static async Task<ChatResult> StreamChatAsync(HttpClient client, string body, CancellationToken cancellationToken = default, bool validUtf8Model = false)
    {
        var streamBody = body[..^1] + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
        var response = await client.PostAsync("/v1/chat/completions", Json(streamBody), cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sse = (await SseReader.ReadAllAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken)).EnsureWellFormed();
        var text = "";
        string? finish = null;
        int? usage = null;
        foreach (var data in sse.Data)
        {
            var chunk = JsonDocument.Parse(data).RootElement;
            if (chunk.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object)
            {
                usage = u.GetProperty("completion_tokens").GetInt32();
            }

            if (chunk.GetProperty("choices").GetArrayLength() == 0)
            {
                continue;
            }

            var choice = chunk.GetProperty("choices")[0];
            if (choice.GetProperty("delta").TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String)
            {
                var piece = c.GetString()!;
                if (validUtf8Model)
                {
                    Assert.DoesNotContain('\uFFFD', piece);
                }

                text += piece;
            }

            if (choice.TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String)
            {
                Assert.Null(finish);
                finish = f.GetString();
            }
        }

        return new ChatResult(text, finish, usage);
    }

    /// <summary>The content of one streamed chunk, or null when it carries none.</summary>
    public static string? ContentOf(JsonElement chunk)
    {
        if (chunk.GetProperty("choices").GetArrayLength() == 0)
        {
            return null;
        }

        var delta = chunk.GetProperty("choices")[0].GetProperty("delta");
        return delta.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String && c.GetString()!.Length > 0 ? c.GetString() : null;
    }

    public static string? FinishOf(JsonElement chunk) =>
        chunk.GetProperty("choices").GetArrayLength() > 0 && chunk.GetProperty("choices")[0].TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String
            ? f.GetString()
            : null;
}
