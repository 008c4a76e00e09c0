using System.Runtime.InteropServices;

namespace InferenceServer.Training.Native;

/// <summary>
/// Sets the SSE control register (MXCSR) of the calling thread to flush denormal results to zero (FTZ) and read
/// denormal inputs as zero (DAZ). Training produces more and more denormal floats as it goes (exp of ever larger
/// negative logits and attention scores, Adam moments of rarely used rows decaying geometrically), and every
/// operation on one takes a microcode assist; ggml's CPU backend does not set these bits itself. Threads created
/// afterwards (ggml's OpenMP pool) inherit the register, so this runs before the first graph computation.
/// </summary>
internal static unsafe partial class DenormalFlush
{
    private const uint FlushToZero = 1u << 15;
    private const uint DenormalsAreZero = 1u << 6;
    /// <summary>glibc's x86-64 <c>fenv_t</c>: the x87 environment (28 bytes), then MXCSR.</summary>
    private const int FenvSize = 32;
    private const int MxcsrOffset = 28;

    /// <summary>x86-64 Linux (glibc's <c>fenv_t</c> layout and SSE): the only platform where this does anything.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    /// <summary>Turns FTZ and DAZ on for this thread; false (nothing changed) where <see cref="IsSupported"/> is false.</summary>
    public static bool Enable()
    {
        if (!IsSupported) return false;
        var env = stackalloc byte[FenvSize];
        if (fegetenv(env) != 0) return false;
        *(uint*)(env + MxcsrOffset) |= FlushToZero | DenormalsAreZero;
        return fesetenv(env) == 0;
    }

    /// <summary>The calling thread's MXCSR (for tests and logs); null where it cannot be read.</summary>
    public static uint? Current()
    {
        if (!IsSupported) return null;
        var env = stackalloc byte[FenvSize];
        return fegetenv(env) == 0 ? *(uint*)(env + MxcsrOffset) : null;
    }

    public static bool IsEnabled => Current() is { } csr && (csr & (FlushToZero | DenormalsAreZero)) == (FlushToZero | DenormalsAreZero);

    [LibraryImport("libm.so.6")]
    private static partial int fegetenv(byte* env);

    [LibraryImport("libm.so.6")]
    private static partial int fesetenv(byte* env);
}
