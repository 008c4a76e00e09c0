using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;

namespace InferenceServer.Training.Evaluation;

/// <summary>
/// A GGUF loaded through LLamaSharp the way the server runs it (CPU, no flash attention). With
/// <c>exactKvCache</c> the KV cache is F32, so logits are llama.cpp's inference numbers for the same weights
/// without F16 rounding (the cross-entropy check); otherwise it keeps llama.cpp's default F16 cache, as the server.
/// </summary>
internal sealed class LlamaModelSession : IDisposable
{
    private readonly LLamaWeights _weights;
    private readonly LLamaContext _context;
    private readonly LLamaBatch _batch = new();

    public LlamaModelSession(string modelPath, int contextSize, int threads, bool exactKvCache = false)
    {
        var p = new ModelParams(modelPath)
        {
            ContextSize = (uint)contextSize,
            BatchSize = (uint)contextSize,
            UBatchSize = (uint)contextSize,
            GpuLayerCount = 0,
            Threads = threads,
            BatchThreads = threads,
            TypeK = exactKvCache ? GGMLType.GGML_TYPE_F32 : GGMLType.GGML_TYPE_F16,
            TypeV = exactKvCache ? GGMLType.GGML_TYPE_F32 : GGMLType.GGML_TYPE_F16,
            FlashAttention = false,
        };
        _weights = LLamaWeights.LoadFromFile(p);
        _context = _weights.CreateContext(p);
        ContextSize = contextSize;
    }

    public int ContextSize { get; }
    public LLamaWeights Weights => _weights;
    public SafeLlamaModelHandle Model => _weights.NativeHandle;
    public int VocabSize => _weights.NativeHandle.Vocab.Count;

    /// <summary>Decodes one sequence from position 0 (cache cleared first) and returns logits for the requested positions.</summary>
    public void Decode(ReadOnlySpan<int> tokens, Func<int, bool> wantLogits, Action<int, ReadOnlySpan<float>> onLogits)
    {
        _context.NativeHandle.MemoryClear(true);
        _batch.Clear();
        for (var i = 0; i < tokens.Length; i++) _batch.Add((LLamaToken)(tokens[i]), i, LLamaSeqId.Zero, wantLogits(i));
        var rc = _context.NativeHandle.Decode(_batch);
        if (rc != DecodeResult.Ok) throw new InvalidOperationException($"llama_decode failed: {rc}.");
        for (var i = 0; i < tokens.Length; i++)
        {
            if (!wantLogits(i)) continue;
            onLogits(i, _context.NativeHandle.GetLogitsIth(i));
        }
    }

    /// <summary>Greedy continuation of a prompt until an end-of-generation token or <paramref name="maxTokens"/>.</summary>
    public string Greedy(int[] prompt, int maxTokens)
    {
        _context.NativeHandle.MemoryClear(true);
        _batch.Clear();
        for (var i = 0; i < prompt.Length; i++) _batch.Add((LLamaToken)(prompt[i]), i, LLamaSeqId.Zero, i == prompt.Length - 1);
        var decoder = new StreamingTokenDecoder(Encoding.UTF8, _weights);
        var pos = prompt.Length;
        for (var n = 0; n < maxTokens && pos < ContextSize; n++)
        {
            if (_context.NativeHandle.Decode(_batch) != DecodeResult.Ok) throw new InvalidOperationException("llama_decode failed.");
            var logits = _context.NativeHandle.GetLogitsIth(_batch.TokenCount - 1);
            var best = 0;
            for (var v = 1; v < logits.Length; v++) if (logits[v] > logits[best]) best = v;
            var token = (LLamaToken)(best);
            if (token.IsEndOfGeneration(_weights.NativeHandle.Vocab)) break;
            decoder.Add(token);
            _batch.Clear();
            _batch.Add(token, pos++, LLamaSeqId.Zero, true);
        }
        return decoder.Read();
    }

    /// <summary>The prompt text produced by the model's own chat template (llama_chat_apply_template), as the server does.</summary>
    public string ApplyTemplate(IEnumerable<(string Role, string Content)> messages)
    {
        var template = new LLamaTemplate(_weights) { AddAssistant = true };
        foreach (var (role, content) in messages) template.Add(role, content);
        return Encoding.UTF8.GetString(template.Apply());
    }

    public int[] Tokenize(string text, bool addBos, bool special)
    {
        var t = _weights.NativeHandle.Tokenize(text, addBos, special, Encoding.UTF8);
        var r = new int[t.Length];
        for (var i = 0; i < t.Length; i++) r[i] = (int)t[i];
        return r;
    }

    public bool AddBos => _weights.NativeHandle.Vocab.ShouldAddBOS;

    public void Dispose()
    {
        _context.Dispose();
        _weights.Dispose();
    }
}
