using System.Runtime.InteropServices;

namespace InferenceServer.Training.Native;

internal enum GgmlType
{
    F32 = 0,
    F16 = 1,
    I32 = 26,
}

[StructLayout(LayoutKind.Sequential)]
internal struct GgmlInitParams
{
    public nuint MemSize;
    public nint MemBuffer;
    public byte NoAlloc;
}

[StructLayout(LayoutKind.Sequential)]
internal struct GgufInitParams
{
    public byte NoAlloc;
    public nint Ctx; // struct ggml_context ** (out)
}

internal enum GgmlOptLossType
{
    Mean = 0,
    Sum = 1,
    CrossEntropy = 2,
    MeanSquaredError = 3,
}

internal enum GgmlOptBuildType
{
    Forward = 10,
    Grad = 20,
    Opt = 30,
}

/// <summary>ggml_opt_optimizer_params of b10221: adamw {alpha, beta1, beta2, eps, wd}, sgd {alpha, wd}; 28 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GgmlOptOptimizerParams
{
    public float AdamAlpha;
    public float AdamBeta1;
    public float AdamBeta2;
    public float AdamEps;
    public float AdamWeightDecay;
    public float SgdAlpha;
    public float SgdWeightDecay;
}

/// <summary>A deliberately oversized receive buffer to probe the real optimizer-params layout safely.</summary>
[StructLayout(LayoutKind.Sequential, Size = 64)]
internal struct GgmlOptOptimizerParamsProbe
{
    public float F0;
}

/// <summary>ggml_opt_params of b10221 (72 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 72)]
internal struct GgmlOptParams
{
    [FieldOffset(0)] public nint BackendSched;
    [FieldOffset(8)] public nint CtxCompute;
    [FieldOffset(16)] public nint Inputs;
    [FieldOffset(24)] public nint Outputs;
    [FieldOffset(32)] public GgmlOptLossType LossType;
    [FieldOffset(36)] public GgmlOptBuildType BuildType;
    [FieldOffset(40)] public int OptPeriod;
    [FieldOffset(48)] public nint GetOptPars;
    [FieldOffset(56)] public nint GetOptParsUserData;
    [FieldOffset(64)] public int Optimizer;
}
