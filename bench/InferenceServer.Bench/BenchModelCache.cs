namespace InferenceServer.Bench;

/// <summary>Where generated benchmark models are cached between runs: <c>$TMPDIR/inferenceserver-bench/</c>, outside the repository.</summary>
internal static class BenchModelCache
{
    public static string PathOf(string fileName)
    {
        var dir = Path.Combine(Path.GetTempPath(), "inferenceserver-bench");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, fileName);
    }
}
