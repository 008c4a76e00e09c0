using InferenceServer.ModelTools.Gguf;
using InferenceServer.ModelTools.Models;
using InferenceServer.ModelTools.Tokenization;

namespace InferenceServer.Bench;

/// <summary>The benchmark's model: a generated ~52M-parameter llama (F16, GQA), cached between runs.</summary>
internal static class BenchModel
{
    public static readonly LlamaModelSpec Spec = new()
    {
        EmbeddingLength = 512,
        BlockCount = 14,
        HeadCount = 8,
        HeadCountKv = 4,
        FeedForwardLength = 1536,
        ContextLength = 4096,
        TensorType = GgufTensorType.F16,
        Name = "bench-52m",
    };

    public const int VocabSize = 8000;

    public static string Ensure(TextWriter log)
    {
        var dir = Path.Combine(Path.GetTempPath(), "inferenceserver-bench");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "bench-52m-f16.gguf");
        if (File.Exists(path))
        {
            return path;
        }
        log.WriteLine("generating the benchmark model (once)...");
        var vocabulary = ByteLevelBpeTrainer.Train(BuiltInCorpus.Text, VocabSize, []);
        var weights = LlamaWeights.CreateRandom(Spec, vocabulary.Count, seed: 7);
        LlamaGgufFile.Write(path, Spec, vocabulary, weights);
        log.WriteLine($"model: {weights.ParameterCount:N0} parameters, {new FileInfo(path).Length / 1048576.0:F0} MiB");
        return path;
    }
}
