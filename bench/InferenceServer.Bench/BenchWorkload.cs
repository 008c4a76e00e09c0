namespace InferenceServer.Bench;

/// <summary>The same workload for every path: a fixed prompt, greedy, end-of-generation ignored, N tokens.</summary>
internal static class BenchWorkload
{
    public static string Prompt(int stream) =>
        $"Stream {stream}: the quick brown fox jumps over the lazy dog while 37 + 48 = 85 and the answer is";

    /// <summary>Runs one stream <paramref name="repeats"/> times in a row and keeps the median by decode speed.</summary>
    public static async Task<StreamResult> MedianAsync(int repeats, Func<Task<StreamResult>> runOne)
    {
        var results = new List<StreamResult>();
        for (var i = 0; i < repeats; i++)
        {
            results.Add(await runOne());
        }
        return results.OrderBy(r => r.DecodeTokensPerSecond).ElementAt(results.Count / 2);
    }

    public static async Task<ConcurrentResult> RunConcurrentAsync(int streams, Func<int, Task<StreamResult>> runOne)
    {
        var tasks = Enumerable.Range(0, streams).Select(i => Task.Run(() => runOne(i))).ToArray();
        return new ConcurrentResult(streams, await Task.WhenAll(tasks));
    }
}
