using System.Security.Cryptography;
using System.Text;
using InferenceServer.Api.Tests.RealEngine;
using InferenceServer.ModelTools.Models;
using InferenceServer.ModelTools.Tokenization;
using InferenceServer.TestKit;

namespace InferenceServer.Api.Tests.Templates;

/// <summary>
/// The server on a TinyRandom-shaped model whose GGUF carries Templates/tool-template.jinja (a template written for
/// these tests: tools in the system turn, tool calls with tojson arguments, tool responses with ids, a
/// raise_exception rule and an enable_thinking switch).
/// </summary>
public sealed class JinjaTemplateModelFactory : RealEngineFactory
{
    public const string JinjaModelId = "tiny-jinja";

    public JinjaTemplateModelFactory()
        : base(new RealEngineSettings(ModelPath, JinjaModelId, ContextSize: 2048, MaxSequences: 2, QueueCapacity: 8))
    {
    }

    public static string TemplateSource => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Templates", "tool-template.jinja"));

    private static string ModelPath
    {
        get
        {
            var source = TemplateSource;
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(source)))[..12];
            return TestModels.GetOrCreate($"tiny-random-jinja-{hash}", path =>
            {
                var spec = TestModels.TinyRandomSpec;
                var vocabulary = ByteLevelBpeTrainer.Train(BuiltInCorpus.Text, 512, []);
                LlamaGgufFile.Write(path, spec, vocabulary, LlamaWeights.CreateRandom(spec, vocabulary.Count, seed: 42), source);
            });
        }
    }
}
