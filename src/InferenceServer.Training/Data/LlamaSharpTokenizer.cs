using System.Text;
using LLama;
using LLama.Common;

namespace InferenceServer.Training.Data;

/// <summary>Tokenizes through llama.cpp (LLamaSharp) with the model file's own vocabulary (loaded vocab-only).</summary>
internal sealed class LlamaSharpTokenizer : ITokenizer, IDisposable
{
    private readonly LLamaWeights _weights;

    public LlamaSharpTokenizer(string modelPath)
    {
        _weights = LLamaWeights.LoadFromFile(new ModelParams(modelPath) { VocabOnly = true, GpuLayerCount = 0 });
        var vocab = _weights.NativeHandle.Vocab;
        VocabSize = vocab.Count;
        AddBos = vocab.ShouldAddBOS;
        Bos = vocab.BOS is { } b ? (int)b : -1;
        ImEnd = Single(ChatMlFormatter.ImEnd);
        Padding = Single(ChatMlFormatter.EndOfText);
    }

    public int VocabSize { get; }
    public bool AddBos { get; }
    public int Bos { get; }
    public int ImEnd { get; }
    public int Padding { get; }

    public int[] Tokenize(string text, bool addBos, bool special)
    {
        var tokens = _weights.NativeHandle.Tokenize(text, addBos, special, Encoding.UTF8);
        var result = new int[tokens.Length];
        for (var i = 0; i < tokens.Length; i++) result[i] = (int)tokens[i];
        return result;
    }

    private int Single(string special)
    {
        var t = Tokenize(special, false, true);
        if (t.Length != 1) throw new InvalidDataException($"The vocabulary has no single token for {special}.");
        return t[0];
    }

    public void Dispose() => _weights.Dispose();
}
