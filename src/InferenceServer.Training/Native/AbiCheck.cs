using System.Runtime.InteropServices;

namespace InferenceServer.Training.Native;

/// <summary>
/// Guards the hand-written struct layouts against the shipped library: fails fast (instead of corrupting memory)
/// if a future native build changes ggml_opt_params or ggml_opt_optimizer_params.
/// </summary>
internal static class AbiCheck
{
    public static void VerifyOptParams(GgmlOptParams p)
    {
        var lib = NativeLibrary.Load(Path.Combine(GgmlLibraryResolver.EnsureRegistered(), "libggml-base.so"));
        var defaultCallback = NativeLibrary.GetExport(lib, "ggml_opt_get_default_optimizer_params");
        if (p.OptPeriod != 1 || p.GetOptPars != defaultCallback || p.Optimizer != 0 || p.LossType != GgmlOptLossType.CrossEntropy)
        {
            throw new NotSupportedException("ggml_opt_params layout of the native library differs from the bindings (expected b10221).");
        }
        var probe = GgmlOpt.ggml_opt_get_default_optimizer_params(0);
        var floats = MemoryMarshal.Cast<GgmlOptOptimizerParamsProbe, float>(new Span<GgmlOptOptimizerParamsProbe>(ref probe));
        // 7-float layout: adamw {alpha, beta1, beta2, eps, wd}, sgd {alpha, wd}: sgd.alpha (index 5) is the default 1e-3.
        if (Math.Abs(floats[1] - 0.9f) > 1e-6 || Math.Abs(floats[5] - floats[0]) > 1e-9 || floats[0] <= 0)
        {
            throw new NotSupportedException("ggml_opt_optimizer_params layout differs from the bindings (expected 7 floats).");
        }
    }
}
