using InferenceServer.ModelTools.Gguf;
using InferenceServer.ModelTools.Models;
using InferenceServer.ModelTools.Tokenization;

namespace InferenceServer.Bench;

/// <summary>
/// The benchmark's model: a generated ~51M-parameter llama (F16, GQA), cached between runs. Its vocabulary is only what
/// the corpus supports (no reserved padding tokens), so nearly every generated token carries text and client-side
/// per-chunk timing counts tokens.
/// </summary>
internal static class BenchModel
{
    public static readonly LlamaModelSpec Spec = new()
    {
        EmbeddingLength = 512,
        BlockCount = 16,
        HeadCount = 8,
        HeadCountKv = 4,
        FeedForwardLength = 1536,
        ContextLength = 4096,
        TensorType = GgufTensorType.F16,
        Name = "bench-51m",
    };

    public const int VocabSize = 8000;
    private const string FileName = "bench-51m-f16-v2.gguf";

    public static string Ensure(TextWriter log)
    {
        var path = BenchModelCache.PathOf(FileName);
        if (File.Exists(path))
        {
            return path;
        }
        log.WriteLine("generating the benchmark model (once)...");
        var vocabulary = ByteLevelBpeTrainer.Train(BuiltInCorpus.Text, VocabSize, [], new ByteLevelBpeTrainerOptions { PadToVocabSize = false });
        var weights = LlamaWeights.CreateRandom(Spec, vocabulary.Count, seed: 7);
        LlamaGgufFile.Write(path, Spec, vocabulary, weights);
        log.WriteLine($"model: {weights.ParameterCount:N0} parameters, {new FileInfo(path).Length / 1048576.0:F0} MiB");
        return path;
    }
}
