using System.Reflection;
using System.Runtime.InteropServices;
using LLama.Native;

namespace InferenceServer.Training.Native;

/// <summary>
/// Makes this assembly's [LibraryImport]s bind to the very native files LLamaSharp loaded (its best CPU variant
/// folder, e.g. avx512), so the training graph and llama.cpp inference share one ggml instance.
/// </summary>
public static class GgmlLibraryResolver
{
    internal const string GgmlBase = "ggml-base";
    internal const string GgmlCpu = "ggml-cpu";

    private static readonly Lazy<string> NativeDirectory = new(LocateNativeDirectory, LazyThreadSafetyMode.ExecutionAndPublication);
    private static int _registered;

    /// <summary>Loads LLamaSharp's native library and registers the resolver (idempotent).</summary>
    public static string EnsureRegistered()
    {
        var dir = NativeDirectory.Value;
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            NativeLibrary.SetDllImportResolver(typeof(GgmlLibraryResolver).Assembly, Resolve);
        }
        return dir;
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        var file = name switch
        {
            GgmlBase => "libggml-base.so",
            GgmlCpu => "libggml-cpu.so",
            _ => null,
        };
        return file is null ? 0 : NativeLibrary.Load(Path.Combine(NativeDirectory.Value, file));
    }

    private static string LocateNativeDirectory()
    {
        // Forces LLamaSharp to pick and load its native variant.
        NativeApi.llama_empty_call();
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            var idx = line.IndexOf('/');
            if (idx < 0) continue;
            var path = line[idx..].Trim();
            if (path.EndsWith("/libllama.so", StringComparison.Ordinal) || path.Contains("/libllama.so.", StringComparison.Ordinal))
            {
                var dir = Path.GetDirectoryName(path)!;
                if (File.Exists(Path.Combine(dir, "libggml-base.so"))) return dir;
            }
        }
        throw new InvalidOperationException("LLamaSharp's libllama.so is not mapped into this process; cannot locate the ggml libraries.");
    }
}
