using System.Runtime.InteropServices;

namespace InferenceServer.Training.Native;

/// <summary>Core ggml: contexts, tensors, the operations of the llama forward graph, graphs.</summary>
internal static unsafe partial class Ggml
{
    private const string Lib = GgmlLibraryResolver.GgmlBase;

    [LibraryImport(Lib)] internal static partial nint ggml_init(GgmlInitParams p);
    [LibraryImport(Lib)] internal static partial void ggml_free(nint ctx);
    [LibraryImport(Lib)] internal static partial nuint ggml_tensor_overhead();
    [LibraryImport(Lib)] internal static partial nuint ggml_graph_overhead_custom(nuint size, [MarshalAs(UnmanagedType.U1)] bool grads);
    [LibraryImport(Lib)] internal static partial nint ggml_commit();

    [LibraryImport(Lib)] internal static partial nint ggml_new_tensor_1d(nint ctx, GgmlType type, long ne0);
    [LibraryImport(Lib)] internal static partial nint ggml_new_tensor_2d(nint ctx, GgmlType type, long ne0, long ne1);
    [LibraryImport(Lib)] internal static partial nint ggml_new_tensor_4d(nint ctx, GgmlType type, long ne0, long ne1, long ne2, long ne3);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial nint ggml_set_name(nint tensor, string name);
    [LibraryImport(Lib)] internal static partial nint ggml_get_name(nint tensor);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial nint ggml_get_tensor(nint ctx, string name);
    [LibraryImport(Lib)] internal static partial nint ggml_get_first_tensor(nint ctx);
    [LibraryImport(Lib)] internal static partial nint ggml_get_next_tensor(nint ctx, nint tensor);
    [LibraryImport(Lib)] internal static partial nuint ggml_nbytes(nint tensor);
    [LibraryImport(Lib)] internal static partial nint ggml_get_data(nint tensor);
    [LibraryImport(Lib)] internal static partial long ggml_nelements(nint tensor);
    [LibraryImport(Lib)] internal static partial void ggml_set_param(nint tensor);
    [LibraryImport(Lib)] internal static partial void ggml_set_input(nint tensor);
    [LibraryImport(Lib)] internal static partial void ggml_set_output(nint tensor);

    [LibraryImport(Lib)] internal static partial nint ggml_get_rows(nint ctx, nint a, nint b);
    [LibraryImport(Lib)] internal static partial nint ggml_rms_norm(nint ctx, nint a, float eps);
    [LibraryImport(Lib)] internal static partial nint ggml_mul(nint ctx, nint a, nint b);
    [LibraryImport(Lib)] internal static partial nint ggml_add(nint ctx, nint a, nint b);
    [LibraryImport(Lib)] internal static partial nint ggml_mul_mat(nint ctx, nint a, nint b);
    [LibraryImport(Lib)] internal static partial nint ggml_silu(nint ctx, nint a);
    [LibraryImport(Lib)] internal static partial nint ggml_repeat(nint ctx, nint a, nint b);
    [LibraryImport(Lib)] internal static partial nint ggml_cont(nint ctx, nint a);
    [LibraryImport(Lib)] internal static partial nint ggml_reshape_1d(nint ctx, nint a, long ne0);
    [LibraryImport(Lib)] internal static partial nint ggml_reshape_2d(nint ctx, nint a, long ne0, long ne1);
    [LibraryImport(Lib)] internal static partial nint ggml_reshape_4d(nint ctx, nint a, long ne0, long ne1, long ne2, long ne3);
    [LibraryImport(Lib)] internal static partial nint ggml_permute(nint ctx, nint a, int axis0, int axis1, int axis2, int axis3);
    [LibraryImport(Lib)] internal static partial nint ggml_diag_mask_inf(nint ctx, nint a, int nPast);
    [LibraryImport(Lib)] internal static partial nint ggml_soft_max_ext(nint ctx, nint a, nint mask, float scale, float maxBias);
    [LibraryImport(Lib)]
    internal static partial nint ggml_rope_ext(nint ctx, nint a, nint positions, nint freqFactors, int nDims, int mode, int nCtxOrig,
        float freqBase, float freqScale, float extFactor, float attnFactor, float betaFast, float betaSlow);

    [LibraryImport(Lib)] internal static partial nint ggml_new_graph_custom(nint ctx, nuint size, [MarshalAs(UnmanagedType.U1)] bool grads);
    [LibraryImport(Lib)] internal static partial void ggml_build_forward_expand(nint graph, nint tensor);

    internal static string GetName(nint tensor) => Marshal.PtrToStringUTF8(ggml_get_name(tensor)) ?? string.Empty;
}
