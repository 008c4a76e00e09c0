using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace InferenceServer.Bench;

/// <summary>Streams /v1/completions over real HTTP (SSE) and times the content chunks as a client sees them.</summary>
internal sealed class HttpBench(Uri baseAddress, string model) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(10) };

    public async Task<StreamResult> RunStreamAsync(int stream, int maxTokens)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["model"] = model,
            ["prompt"] = BenchWorkload.Prompt(stream),
            ["max_tokens"] = maxTokens,
            ["temperature"] = 0,
            ["stream"] = true,
            ["stream_options"] = new Dictionary<string, object> { ["include_usage"] = true },
            ["ignore_eos"] = true,
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/completions")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var started = Now();
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var content = await response.Content.ReadAsStreamAsync();
        double first = 0, last = 0;
        var tokens = 0;
        await foreach (var document in SseEvents.ReadAsync(content))
        {
            using var json = document;
            var root = json.RootElement;
            if (root.TryGetProperty("choices", out var choices) && choices.GetArrayLength() > 0
                && choices[0].TryGetProperty("text", out var text) && text.GetString() is { Length: > 0 })
            {
                last = Now();
                if (first == 0)
                {
                    first = last;
                }
            }
            if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                tokens = usage.GetProperty("completion_tokens").GetInt32();
            }
        }
        return new StreamResult(tokens, started, first, last);
    }

    public void Dispose() => _http.Dispose();

    private static double Now() => Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
}
