using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;

namespace InferenceServer.ModelTools.Tests;

/// <summary>Loads GGUF files through LLamaSharp (CPU, one thread) and runs greedy decoding.</summary>
internal static class LlamaHarness
{
    public static ModelParams Params(string path) => new(path)
    {
        ContextSize = 256,
        Threads = 1,
        BatchThreads = 1,
        BatchSize = 256,
        GpuLayerCount = 0,
    };

    public static LLamaWeights Load(string path) => LLamaWeights.LoadFromFile(Params(path));

    public static int[] Tokenize(LLamaWeights weights, string text, bool special) =>
        weights.NativeHandle.Tokenize(text, false, special, Encoding.UTF8).Select(t => (int)t).ToArray();

    /// <summary>Greedy (argmax) continuation until an end-of-generation token or <paramref name="maxTokens"/>.</summary>
    public static (List<int> Tokens, string Text, bool Stopped) Greedy(LLamaWeights weights, string path, string prompt, int maxTokens)
    {
        using var context = weights.CreateContext(Params(path));
        var promptTokens = weights.NativeHandle.Tokenize(prompt, false, true, Encoding.UTF8);
        var batch = new LLamaBatch();
        for (int i = 0; i < promptTokens.Length; i++) batch.Add(promptTokens[i], i, LLamaSeqId.Zero, i == promptTokens.Length - 1);
        Check(context.NativeHandle.Decode(batch));
        var decoder = new StreamingTokenDecoder(Encoding.UTF8, weights);
        var output = new List<int>();
        int pos = promptTokens.Length;
        for (int step = 0; step < maxTokens; step++)
        {
            var logits = context.NativeHandle.GetLogitsIth(batch.TokenCount - 1);
            int best = 0;
            for (int i = 1; i < logits.Length; i++) if (logits[i] > logits[best]) best = i;
            var token = (LLamaToken)best;
            if (token.IsEndOfGeneration(weights.Vocab)) return (output, decoder.Read(), true);
            output.Add(best);
            decoder.Add(token);
            batch.Clear();
            batch.Add(token, pos++, LLamaSeqId.Zero, true);
            Check(context.NativeHandle.Decode(batch));
        }
        return (output, decoder.Read(), false);
    }

    private static void Check(DecodeResult result)
    {
        if (result != DecodeResult.Ok) throw new InvalidOperationException($"llama_decode failed: {result}");
    }
}
