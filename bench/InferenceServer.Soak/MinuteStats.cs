using System.Globalization;

namespace InferenceServer.Soak;

/// <summary>What one minute of the soak saw.</summary>
internal sealed class MinuteStats(int minute)
{
    private readonly List<Outcome> _outcomes = [];
    private readonly Lock _lock = new();

    public int Minute { get; } = minute;
    public double? RssMiB { get; set; }

    public void Add(Outcome outcome)
    {
        lock (_lock)
        {
            _outcomes.Add(outcome);
        }
    }

    public IReadOnlyList<Outcome> Snapshot()
    {
        lock (_lock)
        {
            return [.. _outcomes];
        }
    }

    public static string Header =>
        "| minute | requests | 5xx | unexpected | aborted | 4xx (invalid) | latency p50 / p95 / p99 ms | TTFT p50 / p95 ms | server RSS MiB |\n" +
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

    public string Row()
    {
        var all = Snapshot();
        var completed = all.Where(o => o.Kind is RequestKind.Stream or RequestKind.Chat or RequestKind.Completion && o.LatencyMs is not null && !o.Unexpected)
            .Select(o => o.LatencyMs!.Value).Order().ToList();
        var ttft = all.Where(o => o.Kind == RequestKind.Stream && o.TtftMs is not null).Select(o => o.TtftMs!.Value).Order().ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"| {Minute} | {all.Count} | {all.Count(o => o.Status >= 500)} | {all.Count(o => o.Unexpected)} | {all.Count(o => o.Kind == RequestKind.Aborted)} | {all.Count(o => o.Status is >= 400 and < 500)} | {P(completed, 50)} / {P(completed, 95)} / {P(completed, 99)} | {P(ttft, 50)} / {P(ttft, 95)} | {RssMiB:F0} |");
    }

    private static string P(List<double> sorted, int percentile) =>
        sorted.Count == 0 ? "-" : sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)].ToString("F0", CultureInfo.InvariantCulture);
}
