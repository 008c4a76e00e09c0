using System.Diagnostics;
using InferenceServer.ModelTools.Gguf;
using InferenceServer.ModelTools.Models;
using InferenceServer.ModelTools.Tokenization;

namespace InferenceServer.ModelTools.Cli;

/// <summary><c>generate</c>: trains a vocabulary, creates random weights and writes a GGUF model.</summary>
public static class GenerateCommand
{
    public static int Run(CliOptions o, TextWriter stdout)
    {
        o.RejectUnknown("out", "embd", "layers", "heads", "kv-heads", "ff", "ctx", "vocab", "seed", "f16", "tied", "name", "corpus", "rope-base", "rms-eps");
        var output = o.GetString("out") ?? throw new CliException("--out PATH is required.");
        var spec = new LlamaModelSpec
        {
            EmbeddingLength = o.GetInt("embd", 64),
            BlockCount = o.GetInt("layers", 2),
            HeadCount = o.GetInt("heads", 4),
            HeadCountKv = o.GetInt("kv-heads", 2),
            FeedForwardLength = o.GetInt("ff", 172),
            ContextLength = o.GetInt("ctx", 2048),
            RopeFreqBase = o.GetFloat("rope-base", 10000f),
            RmsNormEpsilon = o.GetFloat("rms-eps", 1e-5f),
            TensorType = o.Has("f16") ? GgufTensorType.F16 : GgufTensorType.F32,
            TiedEmbeddings = o.Has("tied"),
            Name = o.GetString("name") ?? "inferenceserver-random",
        };
        var vocabSize = o.GetInt("vocab", 512);
        var seed = o.GetInt("seed", 42);
        var corpus = ReadCorpus(o);

        var sw = Stopwatch.StartNew();
        spec.Validate();
        var vocabulary = ByteLevelBpeTrainer.Train(corpus, vocabSize, []);
        stdout.WriteLine($"vocabulary: {vocabulary.Count} tokens, {vocabulary.Merges.Count} merges ({sw.Elapsed.TotalSeconds:F1} s)");
        var weights = LlamaWeights.CreateRandom(spec, vocabulary.Count, seed);
        LlamaGgufFile.Write(output, spec, vocabulary, weights);
        var size = new FileInfo(output).Length;
        stdout.WriteLine($"parameters: {weights.ParameterCount:N0}");
        stdout.WriteLine($"wrote {output}: {size:N0} bytes ({size / 1048576.0:F1} MiB) in {sw.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    public static int RunScripted(CliOptions o, TextWriter stdout)
    {
        o.RejectUnknown("out", "script", "vocab", "corpus", "ctx");
        var output = o.GetString("out") ?? throw new CliException("--out PATH is required.");
        var script = o.GetString("script") ?? ScriptedModelFactory.DefaultScript;
        var (spec, vocabulary, weights) = ScriptedModelFactory.Create(script, o.GetInt("vocab", ScriptedModelFactory.DefaultVocabSize),
            o.Has("corpus") ? ReadCorpus(o) : null, o.GetInt("ctx", 2048));
        LlamaGgufFile.Write(output, spec, vocabulary, weights);
        stdout.WriteLine($"script tokens: {string.Join(" ", LlamaWeights.GetScriptTokens(vocabulary, script))}");
        stdout.WriteLine($"wrote {output}: {new FileInfo(output).Length:N0} bytes");
        return 0;
    }

    private static string ReadCorpus(CliOptions o)
    {
        var path = o.GetString("corpus");
        return path is null ? BuiltInCorpus.Text : File.ReadAllText(path);
    }
}
