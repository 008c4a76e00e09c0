using InferenceServer.ModelTools.Models;
using InferenceServer.ModelTools.Tokenization;
using InferenceServer.TestKit;

namespace InferenceServer.Api.Tests.Web;

/// <summary>Models for the browser tests.</summary>
public static class BrowserModels
{
    /// <summary>
    /// Random weights, about 9.4M parameters (embedding 384, 6 blocks, F32): slow enough on one thread (milliseconds per
    /// token) that a stream arrives in many visible pieces and can be stopped in the middle.
    /// </summary>
    public static string SlowRandom => TestModels.GetOrCreate("browser-slow-random-v1", path =>
    {
        var spec = new LlamaModelSpec
        {
            EmbeddingLength = 384,
            BlockCount = 6,
            HeadCount = 6,
            HeadCountKv = 2,
            FeedForwardLength = 1024,
            ContextLength = 2048,
            Name = "inferenceserver-browser-slow-random",
        };
        var vocabulary = ByteLevelBpeTrainer.Train(BuiltInCorpus.Text, 512, []);
        LlamaGgufFile.Write(path, spec, vocabulary, LlamaWeights.CreateRandom(spec, vocabulary.Count, seed: 7));
    });
}
