using System.Globalization;

namespace InferenceServer.Bench.Serving;

/// <summary>
/// A long prompt arriving while streams decode: <c>--background-streams</c> streams start, and once they are
/// generating one request with <c>--long-prompt-words</c> words and one output token arrives. Prints the background
/// streams' inter-token latency p50 and p99 (the stall a long prefill causes shows in p99) and the long prompt's TTFT.
/// </summary>
internal static class LongPromptScenario
{
    public static async Task RunAsync(Uri url, string modelId, ServingSettings settings, TextWriter log)
    {
        using var load = new ServingLoad(url, modelId, settings);
        await load.SendAsync(ServingPrompts.Build(-1, settings), 4); // warm-up
        var background = Enumerable.Range(0, settings.BackgroundStreams)
            .Select(i => Task.Run(() => load.SendAsync(ServingPrompts.Build(500 + i, settings), settings.BackgroundTokens)))
            .ToArray();
        await Task.Delay(TimeSpan.FromSeconds(3)); // the streams are past their prefill and decoding
        var longRequest = await load.SendAsync(ServingPrompts.RandomText(9_999, settings.LongPromptWords), 1);
        var streams = await Task.WhenAll(background);

        var itls = streams.SelectMany(s => s.Itls).ToArray();
        double p50 = LevelFigures.Percentile(itls, 50), p99 = LevelFigures.Percentile(itls, 99), max = itls.Max();
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {url} long prompt of {longRequest.PromptTokens} tokens among {settings.BackgroundStreams} streams: TTFT {longRequest.Ttft * 1000:F0} ms; background ITL p50 {p50 * 1000:F0} ms, p99 {p99 * 1000:F0} ms (p99/p50 {p99 / p50:F2}), max {max * 1000:F0} ms"));

        // The same gaps split by when they ended: while the long prompt was prefilled, or before / after.
        double from = longRequest.SentAt, to = longRequest.SentAt + longRequest.Ttft;
        var gaps = streams.SelectMany(s => s.ChunkTimes.Zip(s.ChunkTimes.Skip(1), (a, b) => (End: b, Gap: b - a))).ToArray();
        var during = gaps.Where(g => g.End > from && g.End <= to).Select(g => g.Gap).ToArray();
        var outside = gaps.Where(g => g.End <= from || g.End > to).Select(g => g.Gap).ToArray();
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"    while it prefilled: {Describe(during)}; before and after: {Describe(outside)}"));
    }

    private static string Describe(double[] gaps) => gaps.Length == 0
        ? "no gaps"
        : string.Create(CultureInfo.InvariantCulture,
            $"{gaps.Length} gaps, p50 {LevelFigures.Percentile(gaps, 50) * 1000:F0} ms, p90 {LevelFigures.Percentile(gaps, 90) * 1000:F0} ms, p99 {LevelFigures.Percentile(gaps, 99) * 1000:F0} ms, max {gaps.Max() * 1000:F0} ms");
}
