namespace InferenceServer.Bench;

/// <summary>
/// One line naming the machine a benchmark ran on: cores, CPU model and the instruction-set extensions llama.cpp's
/// kernels depend on. Runs on different boxes differ by more than most changes (docs/performance.md), so every
/// benchmark's header says which box it was.
/// </summary>
internal static class MachineInfo
{
    private static readonly string[] RelevantFlags =
        ["avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "avx512_vp2intersect", "amx_tile"];

    public static string Describe()
    {
        var cores = $"{Environment.ProcessorCount} cores";
        try
        {
            string? model = null;
            HashSet<string> flags = [];
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0)
                {
                    continue;
                }

                var key = line[..colon].Trim();
                if (key == "model name" && model is null)
                {
                    model = line[(colon + 1)..].Trim();
                }
                else if (key == "flags")
                {
                    flags = [.. line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)];
                    break;
                }
            }

            var present = RelevantFlags.Where(flags.Contains);
            return $"{cores} ({model ?? "unknown CPU"}; {string.Join(' ', present)})";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return cores; // no /proc/cpuinfo (not Linux) or not readable
        }
    }
}
