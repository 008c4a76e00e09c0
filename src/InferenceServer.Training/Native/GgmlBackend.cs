using System.Runtime.InteropServices;

namespace InferenceServer.Training.Native;

/// <summary>ggml-backend (buffers, tensor I/O, scheduler) and the CPU backend.</summary>
internal static unsafe partial class GgmlBackend
{
    private const string Lib = GgmlLibraryResolver.GgmlBase;
    private const string CpuLib = GgmlLibraryResolver.GgmlCpu;

    [LibraryImport(CpuLib)] internal static partial nint ggml_backend_cpu_init();
    [LibraryImport(CpuLib)] internal static partial void ggml_backend_cpu_set_n_threads(nint backend, int nThreads);

    [LibraryImport(Lib)] internal static partial void ggml_backend_free(nint backend);
    [LibraryImport(Lib)] internal static partial nint ggml_backend_alloc_ctx_tensors(nint ctx, nint backend);
    [LibraryImport(Lib)] internal static partial void ggml_backend_buffer_free(nint buffer);
    [LibraryImport(Lib)] internal static partial void ggml_backend_tensor_set(nint tensor, void* data, nuint offset, nuint size);
    [LibraryImport(Lib)] internal static partial void ggml_backend_tensor_get(nint tensor, void* data, nuint offset, nuint size);

    [LibraryImport(Lib)]
    internal static partial nint ggml_backend_sched_new(nint* backends, nint* bufts, int nBackends, nuint graphSize,
        [MarshalAs(UnmanagedType.U1)] bool parallel, [MarshalAs(UnmanagedType.U1)] bool opOffload);
    [LibraryImport(Lib)] internal static partial void ggml_backend_sched_free(nint sched);

    internal static void SetData<T>(nint tensor, ReadOnlySpan<T> data) where T : unmanaged
    {
        fixed (T* p = data) ggml_backend_tensor_set(tensor, p, 0, (nuint)(data.Length * sizeof(T)));
    }

    internal static void GetData<T>(nint tensor, Span<T> data) where T : unmanaged
    {
        fixed (T* p = data) ggml_backend_tensor_get(tensor, p, 0, (nuint)(data.Length * sizeof(T)));
    }
}
