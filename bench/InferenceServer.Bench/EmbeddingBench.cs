using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace InferenceServer.Bench;

/// <summary>
/// <c>embeddings</c> subcommand: embeddings per second over HTTP for 32-token inputs, batch 1 and batch 32, on an idle
/// server, then the batch-32 figure again while 4 greedy generation streams run (and their aggregate tokens/s with and
/// without the embedding load), which shows what LLamaSharp's process-wide decode lock costs each side.
/// Figures only; never asserts.
/// </summary>
internal static class EmbeddingBench
{
    private const int InputTokens = 32;

    public static async Task<int> RunAsync(string[] args, TextWriter log)
    {
        var settings = BenchSettings.Parse(args);
        var modelPath = Path.GetFullPath(settings.ModelPath ?? BenchModel.Ensure(log));
        var environment = new Dictionary<string, string>
        {
            ["Model__Path"] = modelPath,
            ["Model__Id"] = "bench",
            ["Model__ContextSize"] = "4096",
            ["Model__Threads"] = settings.Threads.ToString(CultureInfo.InvariantCulture),
            ["Model__FlashAttention"] = settings.FlashAttention.ToString(),
            ["Engine__MaxSequences"] = "4",
            ["Embeddings__ContextSize"] = "2048",
            ["Embeddings__MaxInputsPerDecode"] = "32",
            ["Serilog__MinimumLevel__Default"] = "Warning",
        };
        log.WriteLine($"embeddings: model {Path.GetFileName(modelPath)}, {InputTokens}-token inputs, threads {settings.Threads}, flash attention {settings.FlashAttention}, {MachineInfo.Describe()}");
        await using var server = await ServerProcess.StartAsync(settings, environment, log);
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
        var inputs = await InputsAsync(http, 64);

        await EmbedAsync(http, inputs, 0, 32); // warm-up
        var seconds = Math.Max(3, settings.Tokens / 32);
        var single = await MeasureAsync(http, inputs, 1, TimeSpan.FromSeconds(seconds));
        var batched = await MeasureAsync(http, inputs, 32, TimeSpan.FromSeconds(seconds));
        log.WriteLine($"idle server, batch  1 : {single.PerSecond,8:F1} embeddings/s ({single.Requests} requests, mean latency {single.MeanLatencyMs:F1} ms)");
        log.WriteLine($"idle server, batch 32 : {batched.PerSecond,8:F1} embeddings/s ({batched.Requests} requests, mean latency {batched.MeanLatencyMs:F1} ms)");

        using var generation = new HttpBench(server.BaseAddress, "bench");
        var alone = await BenchWorkload.RunConcurrentAsync(4, i => generation.RunStreamAsync(i, settings.Tokens));
        log.WriteLine($"generation alone, 4 streams : {alone.AggregateTokensPerSecond,8:F1} tok/s");
        var streams = BenchWorkload.RunConcurrentAsync(4, i => generation.RunStreamAsync(i, settings.Tokens));
        var underLoad = await MeasureWhileAsync(http, inputs, 32, streams);
        var shared = await streams;
        log.WriteLine($"with 4 generation streams, batch 32 : {underLoad.PerSecond,8:F1} embeddings/s ({underLoad.Requests} requests, mean latency {underLoad.MeanLatencyMs:F1} ms)");
        log.WriteLine($"generation beside embeddings, 4 streams : {shared.AggregateTokensPerSecond,8:F1} tok/s (x{shared.AggregateTokensPerSecond / alone.AggregateTokensPerSecond:F2} of alone)");
        return 0;
    }

    private sealed record Measurement(int Requests, int Embeddings, double Seconds, double TotalLatency)
    {
        public double PerSecond => Embeddings / Seconds;
        public double MeanLatencyMs => 1000 * TotalLatency / Math.Max(1, Requests);
    }

    private static async Task<Measurement> MeasureAsync(HttpClient http, IReadOnlyList<int[]> inputs, int batch, TimeSpan duration)
    {
        var started = Stopwatch.GetTimestamp();
        int requests = 0;
        double latency = 0;
        while (Stopwatch.GetElapsedTime(started) < duration)
        {
            latency += await EmbedAsync(http, inputs, requests, batch);
            requests++;
        }

        return new Measurement(requests, requests * batch, Stopwatch.GetElapsedTime(started).TotalSeconds, latency);
    }

    private static async Task<Measurement> MeasureWhileAsync(HttpClient http, IReadOnlyList<int[]> inputs, int batch, Task running)
    {
        var started = Stopwatch.GetTimestamp();
        int requests = 0;
        double latency = 0;
        while (!running.IsCompleted)
        {
            latency += await EmbedAsync(http, inputs, requests, batch);
            requests++;
        }

        return new Measurement(requests, requests * batch, Stopwatch.GetElapsedTime(started).TotalSeconds, latency);
    }

    /// <summary>One request of <paramref name="batch"/> inputs; returns its latency in seconds.</summary>
    private static async Task<double> EmbedAsync(HttpClient http, IReadOnlyList<int[]> inputs, int round, int batch)
    {
        var chosen = Enumerable.Range(0, batch).Select(i => inputs[(round * batch + i) % inputs.Count]).ToArray();
        var body = JsonSerializer.Serialize(new Dictionary<string, object> { ["model"] = "bench", ["input"] = chosen });
        var started = Stopwatch.GetTimestamp();
        using var response = await http.PostAsync("v1/embeddings", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"embeddings failed: {(int)response.StatusCode} {text}");
        }

        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary><paramref name="count"/> different inputs of exactly 32 tokens, cut from tokenized workload prompts.</summary>
    private static async Task<List<int[]>> InputsAsync(HttpClient http, int count)
    {
        var text = string.Join(" ", Enumerable.Range(0, count * 2).Select(BenchWorkload.Prompt));
        var body = JsonSerializer.Serialize(new Dictionary<string, object> { ["content"] = text });
        using var response = await http.PostAsync("tokenize", new StringContent(body, Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var tokens = json.RootElement.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()).ToArray();
        return Enumerable.Range(0, count).Select(i => tokens.AsSpan((i * 7) % (tokens.Length - InputTokens), InputTokens).ToArray()).ToList();
    }
}
