using InferenceServer.ModelTools.Tokenization;

namespace InferenceServer.ModelTools.Models;

/// <summary>The ordered named tensors of a llama model, ready for <see cref="LlamaGgufFile"/>.</summary>
public sealed class LlamaWeights
{
    private readonly List<LlamaTensor> _tensors;
    private readonly Dictionary<string, LlamaTensor> _byName;

    public LlamaWeights(IEnumerable<LlamaTensor> tensors)
    {
        _tensors = [.. tensors];
        _byName = _tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    public IReadOnlyList<LlamaTensor> Tensors => _tensors;

    public long ParameterCount => _tensors.Sum(t => (long)t.Data.Length);

    public LlamaTensor this[string name] => _byName[name];

    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>Empty (all-zero) tensors of the right shapes; norm weights are 1.</summary>
    public static LlamaWeights CreateZero(LlamaModelSpec spec, int vocabSize) =>
        new(Layout(spec, vocabSize).Select(l => new LlamaTensor(l.Name, l.Shape, l.Init == InitKind.One ? Ones(l.Count) : new float[l.Count])));

    /// <summary>
    /// Random weights, deterministic from <paramref name="seed"/>: norms 1, embeddings N(0, 0.02), projections
    /// N(0, 1/sqrt(fan_in)) with the residual outputs (attn_output, ffn_down) further scaled by 1/sqrt(2 * blocks).
    /// Tensors are filled in parallel; each has its own stream so the result does not depend on scheduling.
    /// </summary>
    public static LlamaWeights CreateRandom(LlamaModelSpec spec, int vocabSize, int seed)
    {
        spec.Validate();
        var layout = Layout(spec, vocabSize);
        var tensors = new LlamaTensor[layout.Count];
        float residualScale = 1f / MathF.Sqrt(2f * spec.BlockCount);
        Parallel.For(0, layout.Count, i =>
        {
            var l = layout[i];
            var data = new float[l.Count];
            switch (l.Init)
            {
                case InitKind.One:
                    data.AsSpan().Fill(1f);
                    break;
                case InitKind.Embedding:
                    new NormalSampler(NormalSampler.Mix(seed, i)).Fill(data, 0.02f);
                    break;
                default:
                    float std = 1f / MathF.Sqrt(l.Shape[0]);
                    if (l.Init == InitKind.Residual) std *= residualScale;
                    new NormalSampler(NormalSampler.Mix(seed, i)).Fill(data, std);
                    break;
            }
            tensors[i] = new LlamaTensor(l.Name, l.Shape, data);
        });
        return new LlamaWeights(tensors);
    }

    /// <summary>
    /// Weights whose greedy continuation of any prompt that does not end in a script token is exactly
    /// <paramref name="script"/> followed by <see cref="BpeVocabulary.EndOfTextId"/>. The token embedding is one-hot
    /// (row t = unit vector t), every attention and feed-forward projection is zero, so the final hidden state is the
    /// current token's one-hot vector, and <c>output.weight</c> maps token s_i to s_(i+1), the last script token to
    /// end-of-text and every other token to s_0. The script's tokens must be distinct (see <see cref="GetScriptTokens"/>);
    /// <c>spec.EmbeddingLength</c> must be at least the vocabulary size (<see cref="LlamaModelSpec.ForScripted"/>).
    /// </summary>
    public static LlamaWeights CreateScripted(LlamaModelSpec spec, BpeVocabulary vocabulary, string script) =>
        CreateScripted(spec, vocabulary, GetScriptTokens(vocabulary, script), []);

    /// <summary>
    /// A scripted model over given token ids: after <paramref name="main"/>[i] comes <paramref name="main"/>[i+1],
    /// after its last token end-of-text; after the trigger token of an alternate comes that script instead (and
    /// then end-of-text); after any other token comes <paramref name="main"/>[0]. All script tokens must be distinct.
    /// </summary>
    public static LlamaWeights CreateScripted(LlamaModelSpec spec, BpeVocabulary vocabulary, int[] main, IReadOnlyList<(int Trigger, int[] Script)> alternates)
    {
        spec.Validate();
        int v = vocabulary.Count, e = spec.EmbeddingLength;
        if (e < v) throw new ArgumentException($"EmbeddingLength {e} must be >= vocabulary size {v} for a scripted model.", nameof(spec));
        if (spec.TiedEmbeddings) throw new ArgumentException("A scripted model needs its own output.weight.", nameof(spec));
        var all = main.Concat(alternates.SelectMany(a => a.Script)).ToList();
        if (all.Distinct().Count() != all.Count || all.Contains(vocabulary.EndOfTextId))
            throw new ArgumentException("Script tokens must be distinct and must not include end-of-text.", nameof(main));
        var weights = CreateZero(spec, v);
        var embedding = weights[LlamaTensorNames.TokenEmbedding].Data;
        for (int t = 0; t < v; t++) embedding[t * e + t] = 1f;

        var successor = new int[v];
        Array.Fill(successor, main[0]);
        foreach (var script in alternates.Select(a => a.Script).Prepend(main))
        {
            for (int i = 0; i + 1 < script.Length; i++) successor[script[i]] = script[i + 1];
            successor[script[^1]] = vocabulary.EndOfTextId;
        }

        foreach (var (trigger, script) in alternates)
        {
            if (all.Contains(trigger)) throw new ArgumentException("A trigger token must not be a script token.", nameof(alternates));
            successor[trigger] = script[0];
        }

        // output.weight has ne = {e, v}: row r (logit of token r) is data[r*e .. r*e+e); logit_r = sum_j row_r[j] * h[j].
        var output = weights[LlamaTensorNames.Output].Data;
        for (int t = 0; t < v; t++) output[successor[t] * e + t] = 1f;
        return weights;
    }

    /// <summary>Tokenizes a script (special tokens not parsed) and checks that its tokens are distinct and not end-of-text.</summary>
    public static int[] GetScriptTokens(BpeVocabulary vocabulary, string script)
    {
        ArgumentException.ThrowIfNullOrEmpty(script);
        var ids = vocabulary.Encode(script, parseSpecial: false);
        var seen = new HashSet<int>();
        foreach (var id in ids)
        {
            if (!seen.Add(id))
                throw new ArgumentException($"Script token {id} ('{vocabulary.Tokens[id]}') occurs twice; a scripted model needs distinct tokens. Change the script or the vocabulary.", nameof(script));
            if (id == vocabulary.EndOfTextId) throw new ArgumentException("The script must not contain the end-of-text token.", nameof(script));
        }
        return ids;
    }

    /// <summary>The tensor names and ggml shapes a model with this spec needs, in file order.</summary>
    public static IReadOnlyList<(string Name, long[] Shape)> CreateShapes(LlamaModelSpec spec, int vocabSize) =>
        Layout(spec, vocabSize).Select(l => (l.Name, l.Shape)).ToList();

    private static float[] Ones(int n)
    {
        var a = new float[n];
        a.AsSpan().Fill(1f);
        return a;
    }

    private enum InitKind { One, Embedding, Projection, Residual }

    private sealed record Slot(string Name, long[] Shape, InitKind Init)
    {
        public int Count => checked((int)Shape.Aggregate(1L, (a, b) => a * b));
    }

    private static List<Slot> Layout(LlamaModelSpec spec, int vocabSize)
    {
        long e = spec.EmbeddingLength, kv = spec.KvDimension, ff = spec.FeedForwardLength, v = vocabSize;
        var slots = new List<Slot>
        {
            new(LlamaTensorNames.TokenEmbedding, [e, v], InitKind.Embedding),
            new(LlamaTensorNames.OutputNorm, [e], InitKind.One),
        };
        if (!spec.TiedEmbeddings) slots.Add(new(LlamaTensorNames.Output, [e, v], InitKind.Projection));
        for (int b = 0; b < spec.BlockCount; b++)
        {
            slots.Add(new(LlamaTensorNames.AttentionNorm(b), [e], InitKind.One));
            slots.Add(new(LlamaTensorNames.Query(b), [e, e], InitKind.Projection));
            slots.Add(new(LlamaTensorNames.Key(b), [e, kv], InitKind.Projection));
            slots.Add(new(LlamaTensorNames.Value(b), [e, kv], InitKind.Projection));
            slots.Add(new(LlamaTensorNames.AttentionOutput(b), [e, e], InitKind.Residual));
            slots.Add(new(LlamaTensorNames.FeedForwardNorm(b), [e], InitKind.One));
            slots.Add(new(LlamaTensorNames.Gate(b), [e, ff], InitKind.Projection));
            slots.Add(new(LlamaTensorNames.Up(b), [e, ff], InitKind.Projection));
            slots.Add(new(LlamaTensorNames.Down(b), [ff, e], InitKind.Residual));
        }
        return slots;
    }
}
