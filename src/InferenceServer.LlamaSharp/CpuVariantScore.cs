using System.Runtime.InteropServices;

namespace InferenceServer.LlamaSharp;

/// <summary>
/// Asks one build of ggml's CPU backend whether this CPU runs it, the way llama.cpp's own backend loader does: every
/// variant exports <c>ggml_backend_score()</c>, compiled without the variant's instruction-set flags, which returns 0
/// when the CPU lacks one of them and otherwise a score that grows with the features the build uses. The library is
/// opened with <c>RTLD_NOW</c>, so a variant that imports a symbol the loaded libggml-base lacks is refused here
/// (an ABI check) instead of failing at its first call.
/// </summary>
internal static unsafe class CpuVariantScore
{
    private const int RtldNow = 2;

    /// <summary>The variant's score (0: this CPU cannot run it), or null with <paramref name="error"/> when it does not
    /// load. <paramref name="ggmlBase"/> (the packaged libggml-base the variant will run beside) is loaded first, so the
    /// variant's <c>libggml-base.so</c> dependency resolves to it.</summary>
    public static int? Measure(string variant, string ggmlBase, out string? error)
    {
        error = null;
        if (!NativeLibrary.TryLoad(ggmlBase, out _))
        {
            error = $"{ggmlBase} does not load";
            return null;
        }

        if (!NativeLibrary.TryLoad("libc.so.6", out var libc)
            || !NativeLibrary.TryGetExport(libc, "dlopen", out var dlopenAddress)
            || !NativeLibrary.TryGetExport(libc, "dlerror", out var dlerrorAddress))
        {
            error = "dlopen is not available (not glibc)";
            return null;
        }

        var dlopen = (delegate* unmanaged<byte*, int, nint>)dlopenAddress;
        var dlerror = (delegate* unmanaged<byte*>)dlerrorAddress;
        var path = Marshal.StringToCoTaskMemUTF8(variant);
        nint handle;
        try
        {
            handle = dlopen((byte*)path, RtldNow);
        }
        finally
        {
            Marshal.FreeCoTaskMem(path);
        }

        if (handle == 0)
        {
            error = Marshal.PtrToStringUTF8((nint)dlerror()) ?? "dlopen failed";
            return null;
        }

        try
        {
            if (!NativeLibrary.TryGetExport(handle, "ggml_backend_score", out var score))
            {
                error = "no ggml_backend_score export";
                return null;
            }

            return ((delegate* unmanaged<int>)score)();
        }
        finally
        {
            NativeLibrary.Free(handle);
        }
    }
}
