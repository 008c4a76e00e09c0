using System.Globalization;

namespace InferenceServer.Bench.Serving;

/// <summary>
/// <c>serving --rounds N</c>: both servers are started and stay up; each round runs every concurrency level on one
/// server and then on the other (the order alternates from level to level and round to round), so the two
/// measurements of a pair are seconds apart. An idle server takes no CPU, so one server is measured at a time as
/// before, but a shared machine's slow drifts (this development box's speed moves by 30 % within minutes) hit both
/// servers alike. Prints each pair's ratios and, per level, the medians over the rounds.
/// </summary>
internal static class InterleavedRounds
{
    private const string Ours = "inferenceserver";

    public static async Task RunAsync(ServingSettings settings, string model, TextWriter log)
    {
        await using var ours = await ServingCommand.StartOursAsync(settings, model, log);
        await using var peerProcess = settings.PeerCommand is null ? null : await ServingCommand.StartPeerAsync(settings, model, log);
        var peerUrl = peerProcess?.BaseAddress ?? new Uri(settings.PeerUrl!.TrimEnd('/') + "/");
        var servers = new[]
        {
            (Name: Ours, Url: ours.BaseAddress, Probe: new EngineProfileProbe(ours.BaseAddress)),
            (Name: settings.PeerName, Url: peerUrl, Probe: (EngineProfileProbe?)null),
        };
        var loads = servers.Select(s => new ServingLoad(s.Url, "bench", settings)).ToArray();
        try
        {
            for (var w = 0; w < settings.Warmup; w++)
            {
                foreach (var load in loads)
                {
                    await load.SendAsync(ServingPrompts.Build(-1 - w, settings));
                }
            }

            // figures[server][level][round]
            var figures = servers.Select(_ => settings.Concurrency.Select(_ => new List<LevelFigures>()).ToArray()).ToArray();
            for (var round = 0; round < settings.Rounds; round++)
            {
                log.WriteLine($"round {round + 1} of {settings.Rounds}");
                for (var level = 0; level < settings.Concurrency.Length; level++)
                {
                    var peerFirst = ((round + level) % 2 == 1) ^ settings.PeerFirst;
                    foreach (var index in peerFirst ? new[] { 1, 0 } : [0, 1])
                    {
                        var server = servers[index];
                        figures[index][level].Add(await ServingCommand.RunLevelAsync(loads[index], server.Url, settings, level, round + 1, log, server.Probe));
                    }

                    LevelFigures a = figures[0][level][^1], b = figures[1][level][^1];
                    log.WriteLine(Invariant($"    pair: out tok/s ratio {a.OutputTokensPerSecond / b.OutputTokensPerSecond:F2}x, TTFT p50 ratio {a.TtftP50 / b.TtftP50:F2}, ITL p99 ratio {a.ItlP99 / b.ItlP99:F2}"));
                }
            }

            var medians = figures.Select(levels => (IReadOnlyList<LevelFigures>)levels.Select(Median).ToList()).ToArray();
            log.WriteLine();
            log.WriteLine($"medians over {settings.Rounds} interleaved rounds:");
            ServingReport.PrintServer(log, servers[0].Name, medians[0]);
            ServingReport.PrintServer(log, servers[1].Name, medians[1]);
            ServingReport.PrintComparison(log, servers[0].Name, medians[0], servers[1].Name, medians[1]);
            log.WriteLine();
            log.WriteLine("| concurrency | out tok/s ratio per round | median |");
            log.WriteLine("|---|---|---|");
            for (var level = 0; level < settings.Concurrency.Length; level++)
            {
                var ratios = figures[0][level].Zip(figures[1][level], (x, y) => x.OutputTokensPerSecond / y.OutputTokensPerSecond).ToList();
                log.WriteLine(Invariant($"| {settings.Concurrency[level]} | {string.Join(", ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))} | **{LevelFigures.Percentile(ratios, 50):F2}x** |"));
            }
        }
        finally
        {
            foreach (var load in loads)
            {
                load.Dispose();
            }
        }
    }

    /// <summary>The level's median figures over the rounds (each figure's own median; wall time from the tok/s median).</summary>
    private static LevelFigures Median(List<LevelFigures> rounds)
    {
        double M(Func<LevelFigures, double> f) => LevelFigures.Percentile(rounds.Select(f).ToList(), 50);
        var first = rounds[0];
        return new LevelFigures(first.Concurrency, first.Requests, first.OutputTokens, first.OutputTokens / M(r => r.OutputTokensPerSecond),
            M(r => r.TtftP50), M(r => r.TtftP99), M(r => r.ItlP50), M(r => r.ItlP99), M(r => r.TpotP50), M(r => r.TpotP99), M(r => r.CachedTokensMean), M(r => r.TailP50));
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
