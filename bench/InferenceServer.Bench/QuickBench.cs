using System.Globalization;
using InferenceServer.Core.Options;

namespace InferenceServer.Bench;

/// <summary>The quick benchmark: decode tokens/s for one stream in-process vs over HTTP, and aggregate tokens/s at
/// several concurrent HTTP streams, on the generated 51M model (or <c>--model</c>).</summary>
internal static class QuickBench
{
    public static async Task<int> RunAsync(string[] args, TextWriter log)
    {
        var settings = BenchSettings.Parse(args);
        var modelPath = Path.GetFullPath(settings.ModelPath ?? BenchModel.Ensure(log));
        var maxStreams = settings.Concurrency.Max();
        var model = new ModelOptions
        {
            Path = modelPath,
            ContextSize = Math.Max(2048, maxStreams * (settings.Tokens + 64)),
            BatchSize = 512,
            MicroBatchSize = 512,
            Threads = settings.Threads,
            FlashAttention = settings.FlashAttention,
        };
        var engine = new EngineOptions { MaxSequences = maxStreams, QueueCapacity = 4 * maxStreams };
        log.WriteLine($"model {Path.GetFileName(modelPath)}, {settings.Tokens} tokens/stream, threads {settings.Threads}, flash attention {settings.FlashAttention}, context {model.ContextSize}, {MachineInfo.Describe()}");

        if (settings.Grammar)
        {
            await using var grammarBench = InProcessBench.Start(model, engine);
            await GrammarBench.RunAsync(grammarBench, settings, log);
            return 0;
        }

        StreamResult inProcess;
        await using (var bench = InProcessBench.Start(model, engine))
        {
            // Warm-up: one whole stream, so tiered JIT recompilation (a background thread for the first tens of seconds)
            // is mostly over before the measured ones; with tokens of a few ms it would otherwise take a visible share.
            await bench.RunStreamAsync(0, settings.Tokens);
            inProcess = await BenchWorkload.MedianAsync(settings.Repeats, () => bench.RunStreamAsync(0, settings.Tokens));
            Report("in-process", await RunLevelsAsync(i => bench.RunStreamAsync(i, settings.Tokens)));
        }
        log.WriteLine($"in-process  1 stream : {inProcess.DecodeTokensPerSecond,8:F1} decode tok/s (median of {settings.Repeats}) (TTFT {inProcess.TimeToFirstToken * 1000:F0} ms)");

        var environment = new Dictionary<string, string>
        {
            ["Model__Path"] = modelPath,
            ["Model__Id"] = "bench",
            ["Model__ContextSize"] = model.ContextSize.ToString(CultureInfo.InvariantCulture),
            ["Model__Threads"] = settings.Threads.ToString(CultureInfo.InvariantCulture),
            ["Model__FlashAttention"] = settings.FlashAttention.ToString(),
            ["Engine__MaxSequences"] = engine.MaxSequences.ToString(CultureInfo.InvariantCulture),
            ["Engine__QueueCapacity"] = engine.QueueCapacity.ToString(CultureInfo.InvariantCulture),
            ["Serilog__MinimumLevel__Default"] = "Warning",
        };
        await using (var server = await ServerProcess.StartAsync(settings, environment, log))
        using (var http = new HttpBench(server.BaseAddress, "bench"))
        {
            await http.RunStreamAsync(0, settings.Tokens); // warm-up, as in-process
            var single = await BenchWorkload.MedianAsync(settings.Repeats, () => http.RunStreamAsync(0, settings.Tokens));
            log.WriteLine($"HTTP        1 stream : {single.DecodeTokensPerSecond,8:F1} decode tok/s (median of {settings.Repeats}) (TTFT {single.TimeToFirstToken * 1000:F0} ms)");
            log.WriteLine($"HTTP / in-process    : {100 * single.DecodeTokensPerSecond / inProcess.DecodeTokensPerSecond,8:F1} %");
            Report("HTTP", await RunLevelsAsync(i => http.RunStreamAsync(i, settings.Tokens)));
        }
        return 0;

        async Task<List<ConcurrentResult>> RunLevelsAsync(Func<int, Task<StreamResult>> runOne)
        {
            var results = new List<ConcurrentResult>();
            foreach (var streams in settings.Concurrency)
            {
                results.Add(await BenchWorkload.RunConcurrentAsync(streams, runOne));
            }
            return results;
        }

        void Report(string path, List<ConcurrentResult> results)
        {
            var baseline = results[0].AggregateTokensPerSecond;
            foreach (var result in results)
            {
                log.WriteLine($"{path,-10} {result.Streams,3} streams : {result.AggregateTokensPerSecond,8:F1} aggregate tok/s ({result.TotalTokens} tokens in {result.WallSeconds:F1} s, mean TTFT {result.MeanTimeToFirstToken * 1000:F0} ms, x{result.AggregateTokensPerSecond / baseline:F2} vs {results[0].Streams} stream)");
            }
        }
    }
}
