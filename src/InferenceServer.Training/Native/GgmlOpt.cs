using System.Runtime.InteropServices;

namespace InferenceServer.Training.Native;

/// <summary>ggml-opt: ggml's own training engine (static graphs, AdamW, cross-entropy).</summary>
internal static unsafe partial class GgmlOpt
{
    private const string Lib = GgmlLibraryResolver.GgmlBase;

    [LibraryImport(Lib)] internal static partial GgmlOptParams ggml_opt_default_params(nint sched, GgmlOptLossType lossType);
    [LibraryImport(Lib)] internal static partial GgmlOptOptimizerParamsProbe ggml_opt_get_default_optimizer_params(nint userData);
    [LibraryImport(Lib)] internal static partial nint ggml_opt_init(GgmlOptParams p);
    [LibraryImport(Lib)] internal static partial void ggml_opt_free(nint opt);
    [LibraryImport(Lib)] internal static partial void ggml_opt_reset(nint opt, [MarshalAs(UnmanagedType.U1)] bool optimizer);
    [LibraryImport(Lib)] internal static partial nint ggml_opt_inputs(nint opt);
    [LibraryImport(Lib)] internal static partial nint ggml_opt_outputs(nint opt);
    [LibraryImport(Lib)] internal static partial nint ggml_opt_labels(nint opt);
    [LibraryImport(Lib)] internal static partial nint ggml_opt_loss(nint opt);
    [LibraryImport(Lib)] internal static partial void ggml_opt_alloc(nint opt, [MarshalAs(UnmanagedType.U1)] bool backward);
    [LibraryImport(Lib)] internal static partial void ggml_opt_eval(nint opt, nint result);
}
