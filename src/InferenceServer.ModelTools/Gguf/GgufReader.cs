using System.Runtime.InteropServices;
using System.Text;

namespace InferenceServer.ModelTools.Gguf;

/// <summary>
/// Reads GGUF files (v2/v3): all metadata, the tensor infos, and F32/F16 tensor data as float[].
/// Meant for tests, the CLI's <c>info</c> command and the trainer, not for serving.
/// </summary>
public sealed class GgufReader
{
    private readonly string _path;

    private GgufReader(string path, uint version, IReadOnlyDictionary<string, GgufMetadataValue> metadata,
        IReadOnlyList<string> keyOrder, IReadOnlyList<GgufTensorInfo> tensors, long dataOffset, int alignment)
    {
        _path = path;
        Version = version;
        Metadata = metadata;
        KeyOrder = keyOrder;
        Tensors = tensors;
        DataOffset = dataOffset;
        Alignment = alignment;
    }

    public uint Version { get; }
    public IReadOnlyDictionary<string, GgufMetadataValue> Metadata { get; }
    /// <summary>Metadata keys in file order.</summary>
    public IReadOnlyList<string> KeyOrder { get; }
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }
    /// <summary>Absolute file offset of the tensor data section.</summary>
    public long DataOffset { get; }
    public int Alignment { get; }

    public static GgufReader Open(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var r = new BinaryReader(fs, Encoding.UTF8, leaveOpen: true);
        if (r.ReadUInt32() != GgufFormat.Magic) throw new InvalidDataException($"'{path}' is not a GGUF file (bad magic).");
        var version = r.ReadUInt32();
        if (version is < 2 or > 3) throw new InvalidDataException($"Unsupported GGUF version {version}.");
        var tensorCount = checked((long)r.ReadUInt64());
        var kvCount = checked((long)r.ReadUInt64());
        var metadata = new Dictionary<string, GgufMetadataValue>(StringComparer.Ordinal);
        var order = new List<string>();
        for (long i = 0; i < kvCount; i++)
        {
            var key = ReadString(r);
            var type = (GgufValueType)r.ReadUInt32();
            metadata[key] = ReadValue(r, type);
            order.Add(key);
        }
        var tensors = new List<GgufTensorInfo>();
        for (long i = 0; i < tensorCount; i++)
        {
            var name = ReadString(r);
            var dims = r.ReadUInt32();
            var shape = new long[dims];
            for (int d = 0; d < dims; d++) shape[d] = checked((long)r.ReadUInt64());
            var type = (GgufTensorType)r.ReadUInt32();
            var offset = checked((long)r.ReadUInt64());
            tensors.Add(new GgufTensorInfo(name, shape, type, offset));
        }
        var alignment = metadata.TryGetValue("general.alignment", out var a) ? Convert.ToInt32(a.Value) : GgufFormat.DefaultAlignment;
        var dataOffset = GgufFormat.Align(fs.Position, alignment);
        return new GgufReader(Path.GetFullPath(path), version, metadata, order, tensors, dataOffset, alignment);
    }

    public GgufTensorInfo GetTensorInfo(string name) =>
        Tensors.FirstOrDefault(t => t.Name == name) ?? throw new KeyNotFoundException($"No tensor '{name}'.");

    /// <summary>Reads a F32 or F16 tensor's values (ggml order, ne0 fastest) as floats.</summary>
    public float[] ReadTensor(string name)
    {
        var info = GetTensorInfo(name);
        var count = checked((int)info.ElementCount);
        var result = new float[count];
        using var fs = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        fs.Position = DataOffset + info.Offset;
        switch (info.Type)
        {
            case GgufTensorType.F32:
                fs.ReadExactly(MemoryMarshal.AsBytes(result.AsSpan()));
                break;
            case GgufTensorType.F16:
                var half = new Half[count];
                fs.ReadExactly(MemoryMarshal.AsBytes(half.AsSpan()));
                for (int i = 0; i < count; i++) result[i] = (float)half[i];
                break;
            default:
                throw new NotSupportedException($"Tensor '{name}' has unsupported type {(uint)info.Type}.");
        }
        return result;
    }

    public T Get<T>(string key) => Metadata.TryGetValue(key, out var v)
        ? (T)v.Value
        : throw new KeyNotFoundException($"No metadata key '{key}'.");

    private static string ReadString(BinaryReader r)
    {
        var length = checked((int)r.ReadUInt64());
        return Encoding.UTF8.GetString(r.ReadBytes(length));
    }

    private static GgufMetadataValue ReadValue(BinaryReader r, GgufValueType type)
    {
        if (type != GgufValueType.Array) return new GgufMetadataValue(type, ReadScalar(r, type));
        var elementType = (GgufValueType)r.ReadUInt32();
        var count = checked((int)r.ReadUInt64());
        object array = elementType switch
        {
            GgufValueType.String => Enumerable.Range(0, count).Select(_ => ReadString(r)).ToArray(),
            GgufValueType.Int32 => Enumerable.Range(0, count).Select(_ => r.ReadInt32()).ToArray(),
            GgufValueType.Float32 => Enumerable.Range(0, count).Select(_ => r.ReadSingle()).ToArray(),
            GgufValueType.Array => throw new NotSupportedException("Nested GGUF arrays are not supported."),
            _ => Enumerable.Range(0, count).Select(_ => ReadScalar(r, elementType)).ToArray(),
        };
        return new GgufMetadataValue(GgufValueType.Array, array, elementType);
    }

    private static object ReadScalar(BinaryReader r, GgufValueType type) => type switch
    {
        GgufValueType.UInt8 => r.ReadByte(),
        GgufValueType.Int8 => r.ReadSByte(),
        GgufValueType.UInt16 => r.ReadUInt16(),
        GgufValueType.Int16 => r.ReadInt16(),
        GgufValueType.UInt32 => r.ReadUInt32(),
        GgufValueType.Int32 => r.ReadInt32(),
        GgufValueType.Float32 => r.ReadSingle(),
        GgufValueType.Bool => r.ReadByte() != 0,
        GgufValueType.String => ReadString(r),
        GgufValueType.UInt64 => r.ReadUInt64(),
        GgufValueType.Int64 => r.ReadInt64(),
        GgufValueType.Float64 => r.ReadDouble(),
        _ => throw new InvalidDataException($"Unknown GGUF value type {(uint)type}."),
    };
}
