using System.Diagnostics;
using System.Globalization;

namespace InferenceServer.Bench.Serving;

/// <summary>
/// <c>serving</c>: the closed-loop streaming benchmark run against this server and, optionally, another
/// OpenAI-compatible server (a URL, or a command the benchmark starts and stops itself so that only one server runs
/// at a time), then the side-by-side table. Figures only, never assertions.
/// </summary>
internal static class ServingCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter log)
    {
        var settings = ServingSettings.Parse(args);
        var model = Path.GetFullPath(settings.ModelPath ?? ServingModel.Ensure(log));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"serving benchmark: model {Path.GetFileName(model)}, {settings.Endpoint}, concurrency {string.Join(',', settings.Concurrency)}, requests {string.Join(',', settings.Requests)}, prompt {settings.PromptWords} words (+{settings.SharedPrefixWords} shared), max_tokens {settings.MaxTokens}, threads {settings.Threads}, slots {settings.Slots}, ctx {settings.ContextSize}, {MachineInfo.Describe()}"));

        if (settings.Rounds > 1)
        {
            await InterleavedRounds.RunAsync(settings, model, log);
            return 0;
        }

        var runs = new List<Func<Task<(string, IReadOnlyList<LevelFigures>)>>>();
        if (settings.Ours)
        {
            runs.Add(() => RunOursAsync(settings, model, log));
        }

        if (settings.PeerUrl is not null || settings.PeerCommand is not null)
        {
            var peer = () => RunPeerAsync(settings, model, log);
            if (settings.PeerFirst) runs.Insert(0, peer); else runs.Add(peer);
        }

        var results = new List<(string Name, IReadOnlyList<LevelFigures> Levels)>();
        foreach (var run in runs)
        {
            var result = await run();
            results.Add(result);
            ServingReport.PrintServer(log, result.Item1, result.Item2);
        }

        var ours = results.FirstOrDefault(r => r.Name == "inferenceserver");
        var other = results.FirstOrDefault(r => r.Name != "inferenceserver");
        if (ours.Levels is { Count: > 0 } && other.Levels is { Count: > 0 })
        {
            ServingReport.PrintComparison(log, ours.Name, ours.Levels, other.Name, other.Levels);
        }

        return 0;
    }

    private static async Task<(string, IReadOnlyList<LevelFigures>)> RunOursAsync(ServingSettings settings, string model, TextWriter log)
    {
        await using var server = await StartOursAsync(settings, model, log);
        return ("inferenceserver", await RunLevelsAsync(server.BaseAddress, "bench", settings, log, new EngineProfileProbe(server.BaseAddress)));
    }

    /// <summary>Starts this server on the benchmark model with the benchmark's settings and <c>--set</c> values.</summary>
    public static Task<ServerProcess> StartOursAsync(ServingSettings settings, string model, TextWriter log)
    {
        var environment = new Dictionary<string, string>
        {
            ["Model__Path"] = model,
            ["Model__Id"] = "bench",
            ["Model__ContextSize"] = Str(settings.ContextSize),
            ["Model__Threads"] = Str(settings.Threads),
            ["Engine__MaxSequences"] = Str(settings.Slots),
            ["Engine__QueueCapacity"] = Str(Math.Max(64, 4 * settings.Concurrency.Max())),
            ["Serilog__MinimumLevel__Default"] = "Warning",
        };
        foreach (var pair in settings.Set)
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            environment[pair[..at]] = pair[(at + 1)..];
        }

        return ServerProcess.StartApiAsync(settings.Configuration, settings.Port, environment, log);
    }

    private static async Task<(string, IReadOnlyList<LevelFigures>)> RunPeerAsync(ServingSettings settings, string model, TextWriter log)
    {
        if (settings.PeerCommand is null)
        {
            return (settings.PeerName, await RunLevelsAsync(new Uri(settings.PeerUrl!.TrimEnd('/') + "/"), "bench", settings, log));
        }

        await using var server = await StartPeerAsync(settings, model, log);
        return (settings.PeerName, await RunLevelsAsync(server.BaseAddress, "bench", settings, log));
    }

    /// <summary>Starts the peer from <c>--peer-command</c> on the port after this server's.</summary>
    public static Task<ServerProcess> StartPeerAsync(ServingSettings settings, string model, TextWriter log)
    {
        var port = settings.Port + 1;
        var line = settings.PeerCommand!.Replace("{model}", model, StringComparison.Ordinal)
            .Replace("{threads}", Str(settings.Threads), StringComparison.Ordinal)
            .Replace("{slots}", Str(settings.Slots), StringComparison.Ordinal)
            .Replace("{ctx}", Str(settings.ContextSize), StringComparison.Ordinal)
            .Replace("{port}", Str(port), StringComparison.Ordinal);
        var info = new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", "exec " + line } };
        var url = new Uri(settings.PeerUrl is { } peerUrl ? peerUrl.TrimEnd('/') + "/" : $"http://127.0.0.1:{port}/");
        log.WriteLine($"starting {settings.PeerName}: {line}");
        return ServerProcess.StartAsync(info, url, "inferenceserver-bench-peer", log);
    }

    private static async Task<IReadOnlyList<LevelFigures>> RunLevelsAsync(Uri url, string modelId, ServingSettings settings, TextWriter log,
        EngineProfileProbe? probe = null)
    {
        if (settings.LongPromptWords > 0)
        {
            await LongPromptScenario.RunAsync(url, modelId, settings, log);
            return [];
        }

        using var load = new ServingLoad(url, modelId, settings);
        for (var i = 0; i < settings.Warmup; i++)
        {
            await load.SendAsync(ServingPrompts.Build(-1 - i, settings));
        }

        var levels = new List<LevelFigures>();
        for (var i = 0; i < settings.Concurrency.Length; i++)
        {
            levels.Add(await RunLevelAsync(load, url, settings, i, round: 0, log, probe));
        }

        return levels;
    }

    /// <summary>One concurrency level against one server; each round gets its own prompts (no cache hits across rounds).</summary>
    public static async Task<LevelFigures> RunLevelAsync(ServingLoad load, Uri url, ServingSettings settings, int level, int round, TextWriter log,
        EngineProfileProbe? probe = null)
    {
        var before = probe is null ? null : await probe.ReadAsync();
        var timings = await load.RunLevelAsync(settings.Concurrency[level], settings.RequestsAt(level), promptSeed: 100_000 * round + 10_000 * (level + 1));
        var figures = LevelFigures.From(settings.Concurrency[level], timings);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {url} concurrency {figures.Concurrency,3}: prompt {timings.Average(t => t.PromptTokens):F0} tokens, {figures.OutputTokensPerSecond,7:F1} out tok/s, TTFT p50 {figures.TtftP50 * 1000:F0} ms, ITL p50/p99 {figures.ItlP50 * 1000:F0}/{figures.ItlP99 * 1000:F0} ms"));
        if (probe is not null)
        {
            log.WriteLine($"    engine profile: {EngineProfileProbe.Describe(before!, await probe.ReadAsync())}");
        }

        return figures;
    }

    private static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);
}
