using InferenceServer.Core.Options;
using LLama.Native;

namespace InferenceServer.LlamaSharp;

/// <summary>
/// llama.cpp is one native library per process: its loader configuration and log callback are process-wide.
/// This gate configures it before the first native call and serializes model/context creation and disposal
/// (concurrent context create/dispose crashes some backends). It holds no mutable state of its own: whether the
/// library is loaded is LLamaSharp's own flag.
/// </summary>
internal static class NativeLibraryGate
{
    /// <summary>Held while configuring the library, loading/freeing weights and creating/freeing contexts.</summary>
    public static readonly Lock Sync = new();

    /// <summary>Routes llama.cpp's log into <paramref name="sink"/> and loads the native library if needed.
    /// Call with <see cref="Sync"/> held.</summary>
    /// <returns>True when this call configured and loaded the library; false when it was already loaded
    /// (the CUDA choice of the first load stays in force).</returns>
    /// <param name="directory">A directory holding a llama.cpp build to load instead of the packaged variants
    /// (Model:NativeLibraryDirectory), or null.</param>
    public static bool Configure(NativeLogSink sink, bool allowCuda, string? directory = null)
    {
        if (NativeLibraryConfig.LLama.LibraryHasLoaded)
        {
            NativeLogConfig.llama_log_set(sink.Callback);
            return false;
        }

        // Let LLamaSharp pick the CPU variant (AVX level) itself; CUDA only when layers are to be offloaded.
        var config = NativeLibraryConfig.All
            .WithCuda(allowCuda)
            .WithAutoFallback(true)
            .WithLogCallback(sink.Callback);
        if (!string.IsNullOrWhiteSpace(directory))
        {
            // An explicit build: LLamaSharp loads exactly these files (their RUNPATH finds the ggml libraries beside them).
            var full = Path.GetFullPath(directory);
            config.WithLibrary(NativeLibraryFiles.Llama(full), NativeLibraryFiles.Mtmd(full));
        }

        // The first call into NativeApi loads the library and applies the configuration above.
        NativeApi.llama_empty_call();
        return true;
    }
}
