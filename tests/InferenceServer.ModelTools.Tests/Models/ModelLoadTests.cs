using System.Text;
using InferenceServer.ModelTools.Gguf;
using InferenceServer.ModelTools.Models;
using InferenceServer.ModelTools.Tokenization;
using InferenceServer.TestKit;
using LLama;
using LLama.Native;

namespace InferenceServer.ModelTools.Tests.Models;

public sealed class ModelLoadTests
{
    [Fact]
    public void Tiny_random_model_loads_with_the_written_hyperparameters()
    {
        var path = TestModels.TinyRandom;
        using var weights = LlamaHarness.Load(path);
        var spec = TestModels.TinyRandomSpec;
        Assert.Equal(spec.EmbeddingLength, weights.EmbeddingSize);
        Assert.Equal(512, weights.Vocab.Count);
        Assert.Equal(spec.ContextLength, weights.ContextSize);
        Assert.Equal((ulong)spec.ParameterCount(512), weights.ParameterCount);
        var md = weights.Metadata;
        Assert.Equal("llama", md["general.architecture"]);
        Assert.Equal("2", md["llama.block_count"]);
        Assert.Equal("4", md["llama.attention.head_count"]);
        Assert.Equal("2", md["llama.attention.head_count_kv"]);
        Assert.Equal(ChatTemplates.ChatMl, md["tokenizer.chat_template"]);
        Assert.False(weights.Vocab.ShouldAddBOS);
    }

    [Fact]
    public void End_of_text_and_im_end_both_end_generation()
    {
        var path = TestModels.TinyRandom;
        var vocabulary = BpeVocabulary.FromGguf(GgufReader.Open(path));
        using var weights = LlamaHarness.Load(path);
        Assert.Equal(vocabulary.EndOfTextId, (int)weights.Vocab.EOS!.Value);
        Assert.Equal(vocabulary.ImEndId, (int)weights.Vocab.EOT!.Value);
        Assert.True(((LLamaToken)vocabulary.EndOfTextId).IsEndOfGeneration(weights.Vocab));
        Assert.True(((LLamaToken)vocabulary.ImEndId).IsEndOfGeneration(weights.Vocab));
        Assert.False(((LLamaToken)vocabulary.ImStartId).IsEndOfGeneration(weights.Vocab));
        Assert.True(((LLamaToken)vocabulary.ImStartId).IsControl(weights.Vocab));
    }

    [Fact]
    public void Chat_template_is_recognised_as_chatml()
    {
        using var weights = LlamaHarness.Load(TestModels.TinyRandom);
        var template = new LLamaTemplate(weights) { AddAssistant = true };
        template.Add("system", "Be brief.");
        template.Add("user", "Hi");
        var text = Encoding.UTF8.GetString(template.Apply());
        Assert.Equal("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", text);
    }

    [Fact]
    public void Random_model_generates_tokens()
    {
        var path = TestModels.TinyRandom;
        using var weights = LlamaHarness.Load(path);
        var (tokens, _, stopped) = LlamaHarness.Greedy(weights, path, "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n", 8);
        Assert.True(stopped || tokens.Count == 8);
    }

    [Fact]
    public void F16_model_with_tied_embeddings_loads()
    {
        var spec = TestModels.TinyRandomSpec with { TensorType = GgufTensorType.F16, TiedEmbeddings = true, HeadCountKv = 4 };
        var path = TestModels.GetOrCreate("test-f16-tied-v1", p =>
        {
            var v = ByteLevelBpeTrainer.Train(BuiltInCorpus.Text, 300, []);
            LlamaGgufFile.Write(p, spec, v, LlamaWeights.CreateRandom(spec, v.Count, 7));
        });
        var reader = GgufReader.Open(path);
        Assert.Equal(GgufTensorType.F16, reader.GetTensorInfo(LlamaTensorNames.Query(0)).Type);
        Assert.Equal(GgufTensorType.F32, reader.GetTensorInfo(LlamaTensorNames.OutputNorm).Type);
        Assert.DoesNotContain(reader.Tensors, t => t.Name == LlamaTensorNames.Output);
        using var weights = LlamaHarness.Load(path);
        Assert.Equal((ulong)spec.ParameterCount(300), weights.ParameterCount);
        var (tokens, _, stopped) = LlamaHarness.Greedy(weights, path, "Hello", 4);
        Assert.True(stopped || tokens.Count == 4);
    }

    [Fact]
    public void Random_weights_are_deterministic_from_the_seed()
    {
        var spec = TestModels.TinyRandomSpec;
        var a = LlamaWeights.CreateRandom(spec, 300, 1);
        var b = LlamaWeights.CreateRandom(spec, 300, 1);
        var c = LlamaWeights.CreateRandom(spec, 300, 2);
        Assert.Equal(a[LlamaTensorNames.Query(1)].Data, b[LlamaTensorNames.Query(1)].Data);
        Assert.NotEqual(a[LlamaTensorNames.Query(1)].Data, c[LlamaTensorNames.Query(1)].Data);
        Assert.Equal(spec.ParameterCount(300), a.ParameterCount);
    }
}
