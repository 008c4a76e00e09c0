namespace InferenceServer.ModelTools.Models;

/// <summary>A named weight tensor; <paramref name="Shape"/> in ggml order (ne0 first), data row-major over that order.</summary>
public sealed record LlamaTensor(string Name, long[] Shape, float[] Data)
{
    /// <summary>True for 1-D tensors (norm weights), which are always stored as F32.</summary>
    public bool IsVector => Shape.Length == 1;
}
