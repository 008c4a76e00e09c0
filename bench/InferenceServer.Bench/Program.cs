using System.Globalization;
using InferenceServer.Bench;
using InferenceServer.Core.Options;

// Prints decode tokens/s for one stream in-process vs over HTTP, and aggregate tokens/s at 1, 4 and 16 concurrent
// HTTP streams. Figures only: it never asserts timings. Usage: see docs/performance.md.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var settings = BenchSettings.Parse(args);
var log = Console.Out;
var modelPath = Path.GetFullPath(settings.ModelPath ?? BenchModel.Ensure(log));
var maxStreams = settings.Concurrency.Max();
var model = new ModelOptions
{
    Path = modelPath,
    ContextSize = Math.Max(2048, maxStreams * (settings.Tokens + 64)),
    BatchSize = 512,
    MicroBatchSize = 512,
    Threads = settings.Threads,
};
var engine = new EngineOptions { MaxSequences = maxStreams, QueueCapacity = 4 * maxStreams };
log.WriteLine($"model {Path.GetFileName(modelPath)}, {settings.Tokens} tokens/stream, threads {settings.Threads}, context {model.ContextSize}, {Environment.ProcessorCount} cores");

StreamResult inProcess;
await using (var bench = InProcessBench.Start(model, engine))
{
    await bench.RunStreamAsync(0, 8); // warm-up
    inProcess = await bench.RunStreamAsync(0, settings.Tokens);
}
log.WriteLine($"in-process  1 stream : {inProcess.DecodeTokensPerSecond,8:F1} decode tok/s (TTFT {inProcess.TimeToFirstToken * 1000:F0} ms)");

var environment = new Dictionary<string, string>
{
    ["Model__Path"] = modelPath,
    ["Model__Id"] = "bench",
    ["Model__ContextSize"] = model.ContextSize.ToString(CultureInfo.InvariantCulture),
    ["Model__Threads"] = settings.Threads.ToString(CultureInfo.InvariantCulture),
    ["Engine__MaxSequences"] = engine.MaxSequences.ToString(CultureInfo.InvariantCulture),
    ["Engine__QueueCapacity"] = engine.QueueCapacity.ToString(CultureInfo.InvariantCulture),
    ["Serilog__MinimumLevel__Default"] = "Warning",
};
await using (var server = await ServerProcess.StartAsync(settings, environment, log))
using (var http = new HttpBench(server.BaseAddress, "bench"))
{
    await http.RunStreamAsync(0, 8); // warm-up
    var single = await http.RunStreamAsync(0, settings.Tokens);
    log.WriteLine($"HTTP        1 stream : {single.DecodeTokensPerSecond,8:F1} decode tok/s (TTFT {single.TimeToFirstToken * 1000:F0} ms)");
    log.WriteLine($"HTTP / in-process    : {100 * single.DecodeTokensPerSecond / inProcess.DecodeTokensPerSecond,8:F1} %");
    double? baseline = null;
    foreach (var streams in settings.Concurrency)
    {
        var result = await BenchWorkload.RunConcurrentAsync(streams, i => http.RunStreamAsync(i, settings.Tokens));
        baseline ??= result.AggregateTokensPerSecond;
        log.WriteLine($"HTTP {streams,3} streams : {result.AggregateTokensPerSecond,8:F1} aggregate tok/s ({result.TotalTokens} tokens in {result.WallSeconds:F1} s, mean TTFT {result.MeanTimeToFirstToken * 1000:F0} ms, x{result.AggregateTokensPerSecond / baseline:F2} vs {settings.Concurrency[0]} stream)");
    }
}
return 0;
