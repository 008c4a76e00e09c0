using System.Runtime.InteropServices;
using System.Text;

namespace InferenceServer.ModelTools.Gguf;

/// <summary>
/// Writes GGUF v3 files: metadata key/value pairs then tensor infos then the aligned tensor data section.
/// Tensor shapes are given in ggml order (ne0 first: a [rows=out, cols=in] matrix is ne = {in, out}).
/// Keys and tensors are written in the order they were added. Not thread-safe.
/// </summary>
public sealed class GgufWriter
{
    private readonly List<KeyValuePair<string, GgufMetadataValue>> _metadata = [];
    private readonly List<PendingTensor> _tensors = [];
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _tensorNames = new(StringComparer.Ordinal);

    public GgufWriter(int alignment = GgufFormat.DefaultAlignment)
    {
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(alignment), "Alignment must be a positive power of two.");
        Alignment = alignment;
        AddUInt32("general.alignment", (uint)alignment);
    }

    public int Alignment { get; }

    public IReadOnlyList<KeyValuePair<string, GgufMetadataValue>> Metadata => _metadata;

    public GgufWriter Add(string key, GgufMetadataValue value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (!_keys.Add(key)) throw new ArgumentException($"Duplicate metadata key '{key}'.", nameof(key));
        _metadata.Add(new(key, value));
        return this;
    }

    public GgufWriter AddString(string key, string value) => Add(key, GgufMetadataValue.String(value));
    public GgufWriter AddUInt32(string key, uint value) => Add(key, GgufMetadataValue.UInt32(value));
    public GgufWriter AddInt32(string key, int value) => Add(key, GgufMetadataValue.Int32(value));
    public GgufWriter AddFloat32(string key, float value) => Add(key, GgufMetadataValue.Float32(value));
    public GgufWriter AddBool(string key, bool value) => Add(key, GgufMetadataValue.Bool(value));
    public GgufWriter AddUInt8(string key, byte value) => Add(key, GgufMetadataValue.UInt8(value));
    public GgufWriter AddStringArray(string key, IReadOnlyList<string> values) => Add(key, GgufMetadataValue.StringArray(values));
    public GgufWriter AddInt32Array(string key, IReadOnlyList<int> values) => Add(key, GgufMetadataValue.Int32Array(values));
    public GgufWriter AddFloat32Array(string key, IReadOnlyList<float> values) => Add(key, GgufMetadataValue.Float32Array(values));

    /// <summary>Adds a tensor stored as <paramref name="type"/> (F32 data is converted to F16 when asked).</summary>
    /// <param name="shape">ggml dimension order, ne0 first (1 to 4 dimensions).</param>
    public GgufWriter AddTensor(string name, IReadOnlyList<long> shape, ReadOnlyMemory<float> data, GgufTensorType type = GgufTensorType.F32)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (Encoding.UTF8.GetByteCount(name) >= 64) throw new ArgumentException($"Tensor name '{name}' is too long (ggml limit 63 bytes).", nameof(name));
        if (shape.Count is < 1 or > 4) throw new ArgumentException("A tensor has 1 to 4 dimensions.", nameof(shape));
        long count = 1;
        foreach (var d in shape)
        {
            if (d <= 0) throw new ArgumentException("Tensor dimensions must be positive.", nameof(shape));
            count *= d;
        }
        if (count != data.Length) throw new ArgumentException($"Tensor '{name}' has {data.Length} values but shape needs {count}.", nameof(data));
        _ = GgufFormat.ElementSize(type);
        if (!_tensorNames.Add(name)) throw new ArgumentException($"Duplicate tensor name '{name}'.", nameof(name));
        _tensors.Add(new PendingTensor(name, shape.ToArray(), data, type));
        return this;
    }

    /// <summary>Writes the whole file to <paramref name="path"/> through a temporary file and an atomic rename.</summary>
    public void WriteFile(string path)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                WriteTo(fs);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }

    public void WriteTo(Stream stream)
    {
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(GgufFormat.Magic);
        w.Write(GgufFormat.Version);
        w.Write((ulong)_tensors.Count);
        w.Write((ulong)_metadata.Count);
        foreach (var (key, value) in _metadata)
        {
            WriteString(w, key);
            WriteValue(w, value);
        }

        long offset = 0;
        var offsets = new long[_tensors.Count];
        for (int i = 0; i < _tensors.Count; i++)
        {
            var t = _tensors[i];
            offsets[i] = offset;
            offset = GgufFormat.Align(offset + t.ByteSize, Alignment);
        }
        for (int i = 0; i < _tensors.Count; i++)
        {
            var t = _tensors[i];
            WriteString(w, t.Name);
            w.Write((uint)t.Shape.Length);
            foreach (var d in t.Shape) w.Write((ulong)d);
            w.Write((uint)t.Type);
            w.Write((ulong)offsets[i]);
        }
        w.Flush();

        long position = 0;
        var headerLength = HeaderLength();
        WritePadding(stream, GgufFormat.Align(headerLength, Alignment) - headerLength);
        for (int i = 0; i < _tensors.Count; i++)
        {
            var t = _tensors[i];
            WritePadding(stream, offsets[i] - position);
            WriteTensorData(stream, t);
            position = offsets[i] + t.ByteSize;
        }
        stream.Flush();
    }

    private long HeaderLength()
    {
        long n = 4 + 4 + 8 + 8;
        foreach (var (key, value) in _metadata) n += StringLength(key) + ValueLength(value);
        foreach (var t in _tensors) n += StringLength(t.Name) + 4 + 8L * t.Shape.Length + 4 + 8;
        return n;
    }

    private static long StringLength(string s) => 8 + Encoding.UTF8.GetByteCount(s);

    private static long ValueLength(GgufMetadataValue v) => 4 + v.Value switch
    {
        string s => StringLength(s),
        uint or int or float => 4,
        bool or byte => 1,
        string[] a => 4 + 8 + a.Sum(StringLength),
        int[] a => 4 + 8 + 4L * a.Length,
        float[] a => 4 + 8 + 4L * a.Length,
        _ => throw new NotSupportedException($"Metadata value of CLR type {v.Value.GetType()} is not supported by the writer."),
    };

    private static void WriteString(BinaryWriter w, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    private static void WriteValue(BinaryWriter w, GgufMetadataValue v)
    {
        switch (v.Value)
        {
            case string s: w.Write((uint)GgufValueType.String); WriteString(w, s); break;
            case uint u: w.Write((uint)GgufValueType.UInt32); w.Write(u); break;
            case int i: w.Write((uint)GgufValueType.Int32); w.Write(i); break;
            case float f: w.Write((uint)GgufValueType.Float32); w.Write(f); break;
            case bool b: w.Write((uint)GgufValueType.Bool); w.Write((byte)(b ? 1 : 0)); break;
            case byte b: w.Write((uint)GgufValueType.UInt8); w.Write(b); break;
            case string[] a:
                w.Write((uint)GgufValueType.Array); w.Write((uint)GgufValueType.String); w.Write((ulong)a.Length);
                foreach (var s in a) WriteString(w, s);
                break;
            case int[] a:
                w.Write((uint)GgufValueType.Array); w.Write((uint)GgufValueType.Int32); w.Write((ulong)a.Length);
                w.Write(MemoryMarshal.AsBytes(a.AsSpan()));
                break;
            case float[] a:
                w.Write((uint)GgufValueType.Array); w.Write((uint)GgufValueType.Float32); w.Write((ulong)a.Length);
                w.Write(MemoryMarshal.AsBytes(a.AsSpan()));
                break;
            default:
                throw new NotSupportedException($"Metadata value of CLR type {v.Value.GetType()} is not supported by the writer.");
        }
    }

    private static void WritePadding(Stream stream, long count)
    {
        if (count < 0) throw new InvalidOperationException("Internal error: negative padding.");
        Span<byte> zeros = stackalloc byte[64];
        zeros.Clear();
        while (count > 0)
        {
            var n = (int)Math.Min(count, zeros.Length);
            stream.Write(zeros[..n]);
            count -= n;
        }
    }

    private static void WriteTensorData(Stream stream, PendingTensor t)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("GGUF writing needs a little-endian machine.");
        var data = t.Data.Span;
        if (t.Type == GgufTensorType.F32)
        {
            stream.Write(MemoryMarshal.AsBytes(data));
            return;
        }
        const int chunk = 1 << 16;
        var buffer = new Half[Math.Min(chunk, data.Length)];
        for (int start = 0; start < data.Length; start += chunk)
        {
            var n = Math.Min(chunk, data.Length - start);
            var src = data.Slice(start, n);
            for (int i = 0; i < n; i++) buffer[i] = (Half)src[i];
            stream.Write(MemoryMarshal.AsBytes(buffer.AsSpan(0, n)));
        }
    }

    private sealed record PendingTensor(string Name, long[] Shape, ReadOnlyMemory<float> Data, GgufTensorType Type)
    {
        public long ByteSize => (long)Data.Length * GgufFormat.ElementSize(Type);
    }
}
