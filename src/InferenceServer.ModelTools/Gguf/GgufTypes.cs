namespace InferenceServer.ModelTools.Gguf;

/// <summary>GGUF metadata value types (gguf.h <c>gguf_type</c>).</summary>
public enum GgufValueType : uint
{
    UInt8 = 0,
    Int8 = 1,
    UInt16 = 2,
    Int16 = 3,
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    UInt64 = 10,
    Int64 = 11,
    Float64 = 12,
}

/// <summary>Tensor element types this tool writes and reads (ggml <c>ggml_type</c> values).</summary>
public enum GgufTensorType : uint
{
    F32 = 0,
    F16 = 1,
}

/// <summary>Constants of the GGUF container format.</summary>
public static class GgufFormat
{
    /// <summary>"GGUF" little-endian.</summary>
    public const uint Magic = 0x46554747;
    public const uint Version = 3;
    public const int DefaultAlignment = 32;

    internal static long Align(long value, int alignment) => (value + alignment - 1) / alignment * alignment;

    internal static int ElementSize(GgufTensorType type) => type switch
    {
        GgufTensorType.F32 => 4,
        GgufTensorType.F16 => 2,
        _ => throw new NotSupportedException($"Tensor type {type} is not supported."),
    };
}
