using System.Text.Json;

namespace InferenceServer.Bench;

/// <summary>The JSON payloads of an SSE stream's <c>data:</c> lines, up to <c>data: [DONE]</c>.</summary>
internal static class SseEvents
{
    public static async IAsyncEnumerable<JsonDocument> ReadAsync(Stream content)
    {
        using var reader = new StreamReader(content);
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            var data = line.AsMemory(6);
            if (data.Span.SequenceEqual("[DONE]"))
            {
                yield break;
            }

            yield return JsonDocument.Parse(data);
        }
    }
}
