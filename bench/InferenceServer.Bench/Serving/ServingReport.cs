using System.Globalization;

namespace InferenceServer.Bench.Serving;

/// <summary>The figures of one concurrency level for one server.</summary>
internal sealed record LevelFigures(int Concurrency, int Requests, int OutputTokens, double WallSeconds,
    double TtftP50, double TtftP99, double ItlP50, double ItlP99, double TpotP50, double TpotP99, double CachedTokensMean, double TailP50)
{
    public double OutputTokensPerSecond => OutputTokens / WallSeconds;

    public static LevelFigures From(int concurrency, IReadOnlyList<RequestTiming> timings)
    {
        var wall = timings.Max(t => t.FinishedAt) - timings.Min(t => t.SentAt);
        var ttft = timings.Select(t => t.Ttft).Where(double.IsFinite).ToArray();
        var itl = timings.SelectMany(t => t.Itls).ToArray();
        var tpot = timings.Select(t => t.Tpot).Where(double.IsFinite).ToArray();
        return new LevelFigures(concurrency, timings.Count, timings.Sum(t => t.CompletionTokens), wall,
            Percentile(ttft, 50), Percentile(ttft, 99), Percentile(itl, 50), Percentile(itl, 99),
            Percentile(tpot, 50), Percentile(tpot, 99), timings.Average(t => (double)t.CachedTokens),
            Percentile(timings.Select(t => t.Tail).ToArray(), 50));
    }

    /// <summary>Linear interpolation between closest ranks (numpy's default, as vLLM's benchmark reports).</summary>
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var rank = p / 100 * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }
}

/// <summary>Prints each server's figures and, when two servers ran, a side-by-side table with ratios.</summary>
internal static class ServingReport
{
    public static void PrintServer(TextWriter log, string name, IReadOnlyList<LevelFigures> levels)
    {
        log.WriteLine();
        log.WriteLine($"## {name}");
        log.WriteLine("| concurrency | requests | out tok/s | TTFT p50 | TTFT p99 | ITL p50 | ITL p99 | TPOT p50 | TPOT p99 | cached tokens/request | stream tail p50 |");
        log.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var l in levels)
        {
            log.WriteLine(Invariant($"| {l.Concurrency} | {l.Requests} | {l.OutputTokensPerSecond:F1} | {Ms(l.TtftP50)} | {Ms(l.TtftP99)} | {Ms(l.ItlP50)} | {Ms(l.ItlP99)} | {Ms(l.TpotP50)} | {Ms(l.TpotP99)} | {l.CachedTokensMean:F0} | {Ms(l.TailP50, decimals: 1)} |"));
        }
    }

    public static void PrintComparison(TextWriter log, string ours, IReadOnlyList<LevelFigures> a, string peer, IReadOnlyList<LevelFigures> b)
    {
        log.WriteLine();
        log.WriteLine($"## {ours} vs {peer} (ratio: tok/s {ours}/{peer}, higher is better; latency {ours}/{peer}, lower is better)");
        log.WriteLine($"| concurrency | out tok/s ({ours} / {peer}) | ratio | TTFT p50 | ratio | ITL p50 | ITL p99 | ratio p99 | TPOT p50 | ratio |");
        log.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (x, y) in a.Zip(b))
        {
            log.WriteLine(Invariant($"| {x.Concurrency} | {x.OutputTokensPerSecond:F1} / {y.OutputTokensPerSecond:F1} | **{x.OutputTokensPerSecond / y.OutputTokensPerSecond:F2}x** | {Ms(x.TtftP50)} / {Ms(y.TtftP50)} | {x.TtftP50 / y.TtftP50:F2} | {Ms(x.ItlP50)} / {Ms(y.ItlP50)} | {Ms(x.ItlP99)} / {Ms(y.ItlP99)} | {x.ItlP99 / y.ItlP99:F2} | {Ms(x.TpotP50)} / {Ms(y.TpotP50)} | {x.TpotP50 / y.TpotP50:F2} |"));
        }
    }

    private static string Ms(double seconds, int decimals = 0) =>
        double.IsFinite(seconds) ? (seconds * 1000).ToString("F" + decimals, CultureInfo.InvariantCulture) + " ms" : "-";

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
