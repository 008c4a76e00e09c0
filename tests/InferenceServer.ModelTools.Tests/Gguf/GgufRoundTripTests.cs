using InferenceServer.ModelTools.Gguf;

namespace InferenceServer.ModelTools.Tests.Gguf;

public sealed class GgufRoundTripTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "modeltools-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Metadata_and_tensors_survive_a_round_trip()
    {
        var f32 = Enumerable.Range(0, 3 * 5).Select(i => i * 0.25f - 1f).ToArray();
        var f16 = Enumerable.Range(0, 7).Select(i => i * 0.5f).ToArray();
        var writer = new GgufWriter()
            .AddString("s", "héllo 世界")
            .AddUInt32("u", 4_000_000_000)
            .AddInt32("i", -7)
            .AddFloat32("f", 1.5f)
            .AddBool("b", true)
            .AddUInt8("u8", 200)
            .AddStringArray("sa", ["a", "", "ü"])
            .AddInt32Array("ia", [1, -2, 3])
            .AddFloat32Array("fa", [0.5f, -0.25f])
            .AddTensor("m", [5, 3], f32)
            .AddTensor("h", [7], f16, GgufTensorType.F16);
        var path = Path.Combine(_dir, "t.gguf");
        writer.WriteFile(path);

        var r = GgufReader.Open(path);
        Assert.Equal(3u, r.Version);
        Assert.Equal("héllo 世界", r.Get<string>("s"));
        Assert.Equal(4_000_000_000u, r.Get<uint>("u"));
        Assert.Equal(-7, r.Get<int>("i"));
        Assert.Equal(1.5f, r.Get<float>("f"));
        Assert.True(r.Get<bool>("b"));
        Assert.Equal((byte)200, r.Get<byte>("u8"));
        Assert.Equal(["a", "", "ü"], r.Get<string[]>("sa"));
        Assert.Equal([1, -2, 3], r.Get<int[]>("ia"));
        Assert.Equal([0.5f, -0.25f], r.Get<float[]>("fa"));
        Assert.Equal(32u, r.Get<uint>("general.alignment"));
        Assert.Equal(["general.alignment", "s", "u", "i", "f", "b", "u8", "sa", "ia", "fa"], r.KeyOrder);

        Assert.Equal(2, r.Tensors.Count);
        Assert.Equal([5L, 3L], r.GetTensorInfo("m").Shape);
        Assert.Equal(GgufTensorType.F16, r.GetTensorInfo("h").Type);
        Assert.Equal(f32, r.ReadTensor("m"));
        Assert.Equal(f16, r.ReadTensor("h"));
        Assert.All(r.Tensors, t => Assert.Equal(0, t.Offset % 32));
        Assert.Equal(0, r.DataOffset % 32);
        Assert.Equal(r.DataOffset + r.GetTensorInfo("h").Offset + 14, new FileInfo(path).Length);
    }

    [Fact]
    public void WriteFile_replaces_an_existing_file_and_leaves_no_temporary_files()
    {
        var path = Path.Combine(_dir, "x.gguf");
        new GgufWriter().AddInt32("v", 1).WriteFile(path);
        new GgufWriter().AddInt32("v", 2).WriteFile(path);
        Assert.Equal(2, GgufReader.Open(path).Get<int>("v"));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Writer_rejects_bad_input()
    {
        var w = new GgufWriter().AddInt32("k", 1);
        Assert.Throws<ArgumentException>(() => w.AddInt32("k", 2));
        Assert.Throws<ArgumentException>(() => w.AddTensor("t", [2, 2], new float[3]));
        w.AddTensor("t", [2], new float[2]);
        Assert.Throws<ArgumentException>(() => w.AddTensor("t", [2], new float[2]));
    }

    [Fact]
    public void Reader_rejects_a_non_gguf_file()
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, "bad.gguf");
        File.WriteAllBytes(path, [1, 2, 3, 4, 5, 6, 7, 8]);
        Assert.Throws<InvalidDataException>(() => GgufReader.Open(path));
    }
}
