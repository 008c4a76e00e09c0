using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace InferenceServer.Bench.Serving;

/// <summary>What one streamed request looked like to the client: send time, the arrival of every content chunk, and
/// the completion token count (from the usage chunk, else the number of content chunks), and when the stream ended.</summary>
internal sealed record RequestTiming(double SentAt, IReadOnlyList<double> ChunkTimes, int CompletionTokens, int CachedTokens, int PromptTokens, double EndedAt)
{
    public double Ttft => ChunkTimes.Count > 0 ? ChunkTimes[0] - SentAt : double.NaN;
    public double Tpot => CompletionTokens > 1 && ChunkTimes.Count > 1 ? (ChunkTimes[^1] - ChunkTimes[0]) / (CompletionTokens - 1) : double.NaN;
    public IEnumerable<double> Itls => ChunkTimes.Zip(ChunkTimes.Skip(1), (a, b) => b - a);
    public double FinishedAt => ChunkTimes.Count > 0 ? ChunkTimes[^1] : SentAt;
    /// <summary>From the last content chunk to the end of the stream (finish and usage chunks, [DONE], close): a
    /// closed-loop client waits this long before it sends its next request.</summary>
    public double Tail => EndedAt - FinishedAt;
}

/// <summary>
/// Closed-loop streaming load against any OpenAI-compatible server, as vLLM's serving benchmark measures it:
/// <c>concurrency</c> clients each send a request, read its stream to the end and send the next, until the level's
/// requests are done. Greedy, end-of-generation ignored, fixed max_tokens.
/// </summary>
internal sealed class ServingLoad(Uri baseAddress, string model, ServingSettings settings) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(30) })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromMinutes(30),
    };

    public async Task<IReadOnlyList<RequestTiming>> RunLevelAsync(int concurrency, int requests, int promptSeed)
    {
        var results = new RequestTiming[requests];
        int next = -1;
        async Task Client()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                results[i] = await SendAsync(ServingPrompts.Build(promptSeed + i, settings));
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Client)));
        return results;
    }

    public async Task<RequestTiming> SendAsync(string prompt, int? maxTokens = null)
    {
        var body = new Dictionary<string, object>
        {
            ["model"] = model,
            ["max_tokens"] = maxTokens ?? settings.MaxTokens,
            ["temperature"] = 0,
            ["stream"] = true,
            ["stream_options"] = new Dictionary<string, object> { ["include_usage"] = true },
            ["ignore_eos"] = true,
        };
        if (settings.Endpoint == "chat")
        {
            body["messages"] = new[] { new Dictionary<string, string> { ["role"] = "user", ["content"] = prompt } };
        }
        else
        {
            body["prompt"] = prompt;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, settings.Endpoint == "chat" ? "v1/chat/completions" : "v1/completions")
        {
            Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        // A fresh connection per request, for every server alike: llama-server's HTTP library closes a kept-alive
        // connection after a few requests, and a POST sent on it as it closes fails (HttpClient does not retry POSTs).
        request.Headers.ConnectionClose = true;
        var sent = Now();
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        await using var content = await response.Content.ReadAsStreamAsync();
        var chunks = new List<double>(settings.MaxTokens + 1);
        int tokens = -1, cached = 0, promptTokens = 0;
        await foreach (var document in SseEvents.ReadAsync(content))
        {
            double at = Now();
            using var json = document;
            var root = json.RootElement;
            if (root.TryGetProperty("choices", out var choices) && choices.GetArrayLength() > 0 && HasContent(choices[0]))
            {
                chunks.Add(at);
            }

            if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                tokens = usage.GetProperty("completion_tokens").GetInt32();
                promptTokens = usage.TryGetProperty("prompt_tokens", out var p) ? p.GetInt32() : 0;
                if (usage.TryGetProperty("prompt_tokens_details", out var details) && details.ValueKind == JsonValueKind.Object
                    && details.TryGetProperty("cached_tokens", out var c) && c.ValueKind == JsonValueKind.Number)
                {
                    cached = c.GetInt32();
                }
            }
        }

        return new RequestTiming(sent, chunks, tokens >= 0 ? tokens : chunks.Count, cached, promptTokens, Now());
    }

    private static bool HasContent(JsonElement choice)
    {
        if (choice.TryGetProperty("text", out var text))
        {
            return text.GetString() is { Length: > 0 };
        }

        return choice.TryGetProperty("delta", out var delta) && delta.TryGetProperty("content", out var content)
            && content.ValueKind == JsonValueKind.String && content.GetString() is { Length: > 0 };
    }

    public void Dispose() => _http.Dispose();

    private static double Now() => Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
}

/// <summary>Deterministic prompts: the same seed gives every server the same text.</summary>
internal static class ServingPrompts
{
    private static readonly string[] Words = ModelTools.Tokenization.BuiltInCorpus.Text
        .Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries)
        .Select(w => new string(w.Where(char.IsAsciiLetterOrDigit).ToArray()).ToLowerInvariant())
        .Where(w => w.Length > 0)
        .Distinct()
        .ToArray();

    public static string RandomText(int seed, int count) => RandomWords(new Random(1000 + seed), count);

    public static string Build(int seed, ServingSettings settings)
    {
        var prefix = settings.SharedPrefixWords > 0 ? RandomWords(new Random(1), settings.SharedPrefixWords) + "\n" : "";
        return prefix + RandomWords(new Random(1000 + seed), settings.PromptWords);
    }

    private static string RandomWords(Random random, int count) =>
        string.Join(' ', Enumerable.Range(0, count).Select(_ => Words[random.Next(Words.Length)]));
}
