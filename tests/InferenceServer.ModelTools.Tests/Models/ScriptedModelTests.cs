using System.Text;
using InferenceServer.ModelTools.Gguf;
using InferenceServer.ModelTools.Models;
using InferenceServer.ModelTools.Tokenization;
using InferenceServer.TestKit;

namespace InferenceServer.ModelTools.Tests.Models;

public sealed class ScriptedModelTests
{
    [Theory]
    [InlineData("<|im_start|>user\nSay something<|im_end|>\n<|im_start|>assistant\n")]
    [InlineData("Anything at all")]
    [InlineData("x")]
    public void Greedy_output_is_the_script_then_end_of_generation(string prompt)
    {
        var path = TestModels.Scripted;
        using var weights = LlamaHarness.Load(path);
        var (tokens, text, stopped) = LlamaHarness.Greedy(weights, path, prompt, 64);
        Assert.True(stopped);
        Assert.Equal(TestModels.ScriptText, text);
        var vocabulary = BpeVocabulary.FromGguf(GgufReader.Open(path));
        Assert.Equal(LlamaWeights.GetScriptTokens(vocabulary, TestModels.ScriptText), tokens);
        Assert.Equal(TestModels.ScriptText, vocabulary.Decode(tokens));
    }

    [Fact]
    public void Script_has_a_character_split_across_tokens()
    {
        var vocabulary = BpeVocabulary.FromGguf(GgufReader.Open(TestModels.Scripted));
        var tokens = LlamaWeights.GetScriptTokens(vocabulary, TestModels.ScriptText);
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        Assert.Contains(tokens, t =>
        {
            try { strict.GetString(vocabulary.TokenBytes(t)); return false; }
            catch (DecoderFallbackException) { return true; }
        });
    }

    [Fact]
    public void Scripts_with_repeated_tokens_are_rejected()
    {
        var vocabulary = ByteLevelBpeTrainer.Train(BuiltInCorpus.Text, 300, []);
        Assert.Throws<ArgumentException>(() => LlamaWeights.GetScriptTokens(vocabulary, "a.a."));
    }
}
