namespace InferenceServer.Bench;

/// <summary>The same workload for every path: a fixed prompt, greedy, end-of-generation ignored, N tokens.</summary>
internal static class BenchWorkload
{
    public static string Prompt(int stream) =>
        $"Stream {stream}: the quick brown fox jumps over the lazy dog while 37 + 48 = 85 and the answer is";

    public static async Task<ConcurrentResult> RunConcurrentAsync(int streams, Func<int, Task<StreamResult>> runOne)
    {
        var tasks = Enumerable.Range(0, streams).Select(i => Task.Run(() => runOne(i))).ToArray();
        return new ConcurrentResult(streams, await Task.WhenAll(tasks));
    }
}
