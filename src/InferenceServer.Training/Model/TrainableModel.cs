using System.Runtime.InteropServices;
using InferenceServer.Training.Native;

namespace InferenceServer.Training.Model;

/// <summary>
/// The model's weights as ggml parameter tensors in a CPU backend buffer, loaded from a GGUF file and saved back
/// to one with the same metadata (so the trained file keeps the tokenizer, chat template and hyper-parameters).
/// </summary>
internal sealed unsafe class TrainableModel : IDisposable
{
    private readonly nint _ggufSource;      // gguf context of the source file (metadata + tensor order)
    private readonly nint _ggufDataCtx;     // ggml context that holds the source tensor data
    private readonly nint _ctx;             // ggml context of the trainable tensors
    private nint _buffer;
    private readonly List<string> _tensorOrder = [];

    public ModelConfig Config { get; }
    public bool TiedOutput { get; }
    public nint Context => _ctx;

    private TrainableModel(ModelConfig config, nint ggufSource, nint ggufDataCtx, nint ctx, bool tiedOutput)
    {
        Config = config;
        _ggufSource = ggufSource;
        _ggufDataCtx = ggufDataCtx;
        _ctx = ctx;
        TiedOutput = tiedOutput;
    }

    public nint Tensor(string name)
    {
        var t = Ggml.ggml_get_tensor(_ctx, name);
        if (t == 0) throw new InvalidOperationException($"Tensor '{name}' is missing.");
        return t;
    }

    public static TrainableModel Load(string path, nint backend)
    {
        GgmlLibraryResolver.EnsureRegistered();
        nint dataCtx = 0;
        var gguf = Gguf.gguf_init_from_file(path, new GgufInitParams { NoAlloc = 0, Ctx = (nint)(&dataCtx) });
        if (gguf == 0) throw new InvalidDataException($"'{path}' is not a readable GGUF file.");

        var config = ReadConfig(gguf);
        var nTensors = Gguf.gguf_get_n_tensors(gguf);
        var names = new List<string>();
        for (long i = 0; i < nTensors; i++)
        {
            names.Add(Marshal.PtrToStringUTF8(Gguf.gguf_get_tensor_name(gguf, i))!);
        }
        var tied = !names.Contains("output.weight");

        var ctx = Ggml.ggml_init(new GgmlInitParams
        {
            MemSize = Ggml.ggml_tensor_overhead() * (nuint)(names.Count + 8),
            NoAlloc = 1,
        });
        var model = new TrainableModel(config, gguf, dataCtx, ctx, tied);
        model.CreateTensors(names);
        model._buffer = GgmlBackend.ggml_backend_alloc_ctx_tensors(ctx, backend);
        if (model._buffer == 0) throw new InvalidOperationException("Could not allocate the weight buffer.");
        model.CopyFromSource();
        return model;
    }

    /// <summary>A model with fresh weights and no source file (for engine tests); it cannot be saved.</summary>
    public static TrainableModel CreateRandom(ModelConfig config, nint backend, int seed, bool tiedOutput = false)
    {
        GgmlLibraryResolver.EnsureRegistered();
        var names = new List<string> { "token_embd.weight", "output_norm.weight" };
        if (!tiedOutput) names.Add("output.weight");
        for (var l = 0; l < config.BlockCount; l++)
        {
            foreach (var s in new[] { "attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate", "ffn_up", "ffn_down" })
            {
                names.Add($"blk.{l}.{s}.weight");
            }
        }
        var ctx = Ggml.ggml_init(new GgmlInitParams { MemSize = Ggml.ggml_tensor_overhead() * (nuint)(names.Count + 8), NoAlloc = 1 });
        var model = new TrainableModel(config, 0, 0, ctx, tiedOutput);
        model.CreateTensors(names);
        model._buffer = GgmlBackend.ggml_backend_alloc_ctx_tensors(ctx, backend);
        model.Reinitialize(seed);
        return model;
    }

    /// <summary>
    /// Fresh weights: RMS-norm gains 1, matrices N(0, 0.02), residual output projections scaled by 1/sqrt(2 x layers).
    /// </summary>
    public void Reinitialize(int seed)
    {
        var rng = new Data.DeterministicRandom((ulong)seed);
        foreach (var name in _tensorOrder)
        {
            var t = Tensor(name);
            var data = new float[Ggml.ggml_nelements(t)];
            if (name.EndsWith("norm.weight", StringComparison.Ordinal))
            {
                Array.Fill(data, 1f);
            }
            else
            {
                var std = name.EndsWith("attn_output.weight", StringComparison.Ordinal) || name.EndsWith("ffn_down.weight", StringComparison.Ordinal)
                    ? 0.02 / Math.Sqrt(2.0 * Config.BlockCount)
                    : 0.02;
                for (var i = 0; i < data.Length; i++) data[i] = (float)(rng.NextGaussian() * std);
            }
            GgmlBackend.SetData<float>(t, data);
        }
        var positions = new int[Config.ContextLength];
        for (var i = 0; i < positions.Length; i++) positions[i] = i;
        GgmlBackend.SetData<int>(Tensor(PositionsName), positions);
    }

    private static ModelConfig ReadConfig(nint gguf)
    {
        uint U32(string key)
        {
            var id = Gguf.gguf_find_key(gguf, key);
            if (id < 0) throw new InvalidDataException($"GGUF key '{key}' is missing.");
            return Gguf.gguf_get_val_u32(gguf, id);
        }
        float F32(string key, float fallback)
        {
            var id = Gguf.gguf_find_key(gguf, key);
            return id < 0 ? fallback : Gguf.gguf_get_val_f32(gguf, id);
        }
        var tokensKey = Gguf.gguf_find_key(gguf, "tokenizer.ggml.tokens");
        if (tokensKey < 0) throw new InvalidDataException("GGUF has no tokenizer.ggml.tokens.");
        var heads = (int)U32("llama.attention.head_count");
        var kvId = Gguf.gguf_find_key(gguf, "llama.attention.head_count_kv");
        return new ModelConfig(
            VocabSize: (int)GgufArrayLength(gguf, tokensKey),
            EmbeddingLength: (int)U32("llama.embedding_length"),
            BlockCount: (int)U32("llama.block_count"),
            HeadCount: heads,
            HeadCountKv: kvId < 0 ? heads : (int)Gguf.gguf_get_val_u32(gguf, kvId),
            FeedForwardLength: (int)U32("llama.feed_forward_length"),
            ContextLength: (int)U32("llama.context_length"),
            RmsEpsilon: F32("llama.attention.layer_norm_rms_epsilon", 1e-5f),
            RopeFreqBase: F32("llama.rope.freq_base", 10000f));
    }

    private static long GgufArrayLength(nint gguf, long keyId) => (long)GgufArrays.gguf_get_arr_n(gguf, keyId);

    private void CreateTensors(List<string> names)
    {
        var c = Config;
        foreach (var name in names)
        {
            (long ne0, long ne1) = ShapeOf(name, c);
            var t = ne1 == 1 && !name.EndsWith("embd.weight", StringComparison.Ordinal) && name != "output.weight"
                ? Ggml.ggml_new_tensor_1d(_ctx, GgmlType.F32, ne0)
                : Ggml.ggml_new_tensor_2d(_ctx, GgmlType.F32, ne0, ne1);
            Ggml.ggml_set_name(t, name);
            Ggml.ggml_set_param(t);
            _tensorOrder.Add(name);
        }
        var pos = Ggml.ggml_new_tensor_1d(_ctx, GgmlType.I32, c.ContextLength);
        Ggml.ggml_set_name(pos, PositionsName);
    }

    internal const string PositionsName = "train.positions";

    private static (long, long) ShapeOf(string name, ModelConfig c)
    {
        var e = c.EmbeddingLength;
        var suffix = name.StartsWith("blk.", StringComparison.Ordinal) ? name[(name.IndexOf('.', 4) + 1)..] : name;
        return suffix switch
        {
            "token_embd.weight" or "output.weight" => (e, c.VocabSize),
            "output_norm.weight" or "attn_norm.weight" or "ffn_norm.weight" => (e, 1),
            "attn_q.weight" or "attn_output.weight" => (e, e),
            "attn_k.weight" or "attn_v.weight" => (e, c.KvDim),
            "ffn_gate.weight" or "ffn_up.weight" => (e, c.FeedForwardLength),
            "ffn_down.weight" => (c.FeedForwardLength, e),
            _ => throw new InvalidDataException($"Unexpected tensor '{name}' in the model file."),
        };
    }

    private void CopyFromSource()
    {
        foreach (var name in _tensorOrder)
        {
            var src = Ggml.ggml_get_tensor(_ggufDataCtx, name);
            var dst = Tensor(name);
            var n = Ggml.ggml_nbytes(dst);
            if (src == 0 || Ggml.ggml_nbytes(src) != n)
            {
                throw new InvalidDataException($"Tensor '{name}' must be F32 with the shape its hyper-parameters imply.");
            }
            GgmlBackend.ggml_backend_tensor_set(dst, (void*)Ggml.ggml_get_data(src), 0, n);
        }
        var positions = new int[Config.ContextLength];
        for (var i = 0; i < positions.Length; i++) positions[i] = i;
        GgmlBackend.SetData<int>(Tensor(PositionsName), positions);
    }

    /// <summary>Writes the current weights with the source file's metadata.</summary>
    public void Save(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        if (_ggufSource == 0) throw new InvalidOperationException("This model has no source file to take its metadata from.");
        var outCtx = Gguf.gguf_init_empty();
        try
        {
            Gguf.gguf_set_kv(outCtx, _ggufSource);
            foreach (var name in _tensorOrder) Gguf.gguf_add_tensor(outCtx, Tensor(name));
            var tmp = path + ".tmp";
            if (!Gguf.gguf_write_to_file(outCtx, tmp, false)) throw new IOException($"Could not write '{path}'.");
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            Gguf.gguf_free(outCtx);
        }
    }

    public float[] ReadTensor(string name)
    {
        var t = Tensor(name);
        var data = new float[Ggml.ggml_nelements(t)];
        GgmlBackend.GetData<float>(t, data);
        return data;
    }

    public IReadOnlyList<string> TensorNames => _tensorOrder;

    public void Dispose()
    {
        if (_buffer != 0) GgmlBackend.ggml_backend_buffer_free(_buffer);
        _buffer = 0;
        Ggml.ggml_free(_ctx);
        if (_ggufSource != 0) Gguf.gguf_free(_ggufSource);
        if (_ggufDataCtx != 0) Ggml.ggml_free(_ggufDataCtx);
    }
}
