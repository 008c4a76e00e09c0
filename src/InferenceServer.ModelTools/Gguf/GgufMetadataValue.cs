namespace InferenceServer.ModelTools.Gguf;

/// <summary>
/// One typed metadata value. <see cref="Value"/> holds string, uint, int, float, bool, byte (scalars),
/// or string[], int[], float[] (arrays; <see cref="ArrayElementType"/> says which). The reader may also
/// return other scalar CLR types (long, ulong, double, ...) and object[] for arrays it does not map.
/// </summary>
public sealed record GgufMetadataValue(GgufValueType Type, object Value, GgufValueType? ArrayElementType = null)
{
    public static GgufMetadataValue String(string value) => new(GgufValueType.String, value);
    public static GgufMetadataValue UInt32(uint value) => new(GgufValueType.UInt32, value);
    public static GgufMetadataValue Int32(int value) => new(GgufValueType.Int32, value);
    public static GgufMetadataValue Float32(float value) => new(GgufValueType.Float32, value);
    public static GgufMetadataValue Bool(bool value) => new(GgufValueType.Bool, value);
    public static GgufMetadataValue UInt8(byte value) => new(GgufValueType.UInt8, value);
    public static GgufMetadataValue StringArray(IReadOnlyList<string> values) => new(GgufValueType.Array, values.ToArray(), GgufValueType.String);
    public static GgufMetadataValue Int32Array(IReadOnlyList<int> values) => new(GgufValueType.Array, values.ToArray(), GgufValueType.Int32);
    public static GgufMetadataValue Float32Array(IReadOnlyList<float> values) => new(GgufValueType.Array, values.ToArray(), GgufValueType.Float32);

    public override string ToString() => Value switch
    {
        string s => s.Length > 80 ? $"\"{s[..77]}...\" ({s.Length} chars)" : $"\"{s}\"",
        Array a => $"[{ArrayElementType}; {a.Length}] " + string.Join(", ", a.Cast<object>().Take(8)) + (a.Length > 8 ? ", ..." : ""),
        _ => Convert.ToString(Value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}
