using InferenceServer.ModelTools.Gguf;
using InferenceServer.ModelTools.Models;
using InferenceServer.ModelTools.Tokenization;
using LLama;
using LLama.Native;

namespace InferenceServer.Bench.Serving;

/// <summary>
/// The serving benchmark's model: a real-sized Llama shape (~0.85B parameters: embedding 2048, 16 blocks, 16 query /
/// 4 KV heads, SwiGLU 5632, 32,000-token vocabulary) with random weights, quantized to Q4_0 by llama.cpp's quantizer
/// through LLamaSharp (the output matrix becomes Q6_K, as llama-quantize does). Generated once and cached outside the
/// repository. The output rows of every token that is not printable ASCII (control, padding, end-of-text, bytes
/// outside 0x20-0x7E) are zero, so greedy decoding only ever picks text tokens and every streamed chunk is valid
/// UTF-8 for any server (llama-server answers 500 on invalid UTF-8).
/// </summary>
internal static class ServingModel
{
    public static readonly LlamaModelSpec Spec = new()
    {
        EmbeddingLength = 2048,
        BlockCount = 16,
        HeadCount = 16,
        HeadCountKv = 4,
        FeedForwardLength = 5632,
        ContextLength = 4096,
        TensorType = GgufTensorType.F16,
        Name = "bench-0.85b",
    };

    public const int VocabSize = 32000;
    private const string FileName = "bench-0.85b-q4_0-v1.gguf";

    public static string Ensure(TextWriter log)
    {
        var path = BenchModelCache.PathOf(FileName);
        if (File.Exists(path))
        {
            return path;
        }

        log.WriteLine("generating the 0.85B serving benchmark model (once; a few minutes)...");
        var vocabulary = ByteLevelBpeTrainer.Train(BuiltInCorpus.Text, VocabSize, []);
        var weights = LlamaWeights.CreateRandom(Spec, vocabulary.Count, seed: 11);
        ZeroNonTextOutputRows(weights, vocabulary);
        var f16 = path + ".f16.tmp.gguf";
        LlamaGgufFile.Write(f16, Spec, vocabulary, weights);
        log.WriteLine($"model: {weights.ParameterCount:N0} parameters; quantizing to Q4_0...");
        weights = null;
        GC.Collect();
        try
        {
            NativeApi.llama_empty_call(); // loads the native library (LLamaSharp's resolver) before the quantizer's own import
            if (!LLamaQuantizer.Quantize(f16, path + ".tmp", LLamaFtype.MOSTLY_Q4_0, Environment.ProcessorCount, allowRequantize: false, quantizeOutputTensor: true))
            {
                throw new InvalidOperationException("llama.cpp's quantizer failed");
            }
            File.Move(path + ".tmp", path);
        }
        finally
        {
            File.Delete(f16);
        }

        log.WriteLine($"model written: {path} ({new FileInfo(path).Length / 1048576.0:F0} MiB)");
        return path;
    }

    private static void ZeroNonTextOutputRows(LlamaWeights weights, BpeVocabulary vocabulary)
    {
        var output = weights[LlamaTensorNames.Output].Data;
        int e = Spec.EmbeddingLength;
        var bytes = new List<byte>();
        for (int t = 0; t < vocabulary.Count; t++)
        {
            bytes.Clear();
            bool text = vocabulary.TokenTypes[t] == TokenType.Normal;
            if (text)
            {
                ByteUnicodeMap.Decode(vocabulary.Tokens[t], bytes);
                text = bytes.Count > 0 && bytes.TrueForAll(b => b is >= 0x20 and <= 0x7E);
            }

            if (!text)
            {
                output.AsSpan(t * e, e).Clear();
            }
        }
    }
}
