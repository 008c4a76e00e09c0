namespace InferenceServer.ModelTools.Gguf;

/// <summary>A tensor's header entry: shape in ggml order (ne0 first), element type and offset in the data section.</summary>
public sealed record GgufTensorInfo(string Name, long[] Shape, GgufTensorType Type, long Offset)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    public long ByteSize => ElementCount * GgufFormat.ElementSize(Type);
}
