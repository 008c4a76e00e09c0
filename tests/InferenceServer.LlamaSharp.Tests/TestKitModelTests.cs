using System.Text;
using InferenceServer.Core.Engine;
using InferenceServer.Core.Generation;
using InferenceServer.LlamaSharp.Tests.Fixtures;
using InferenceServer.TestKit;

namespace InferenceServer.LlamaSharp.Tests;

/// <summary>The shared TestKit models load and behave as their generator promises.</summary>
[Collection(ModelCollection.Name)]
public sealed class TestKitModelTests
{
    [Fact]
    public void Tiny_random_metadata_and_chatml_template()
    {
        using var backend = TestBackends.Create(TestModels.TinyRandom);

        Assert.Equal("llama", backend.Metadata.Architecture);
        Assert.Equal(TestModels.TinyRandomSpec.EmbeddingLength, backend.Metadata.EmbeddingLength);
        Assert.Equal(TestModels.TinyRandomSpec.ContextLength, backend.Metadata.TrainingContextLength);
        Assert.Equal(512, backend.Metadata.VocabSize);
        Assert.Equal("gguf", backend.ChatTemplate.Name);
        Assert.Equal("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
            backend.ChatTemplate.Apply([new ChatMessage("user", "Hi")], addGenerationPrompt: true));
    }

    [Fact]
    public void Tiny_random_round_trips_text_and_special_tokens()
    {
        using var backend = TestBackends.Create(TestModels.TinyRandom);
        const string text = "<|im_start|>user\nThe quick brown fox, héllo ✓<|im_end|>\n";

        var tokens = backend.Tokenizer.Tokenize(text, addSpecial: false, parseSpecial: true);

        Assert.Equal(text, backend.Tokenizer.Detokenize(tokens));
        Assert.True(backend.Tokenizer.IsEndOfGeneration(tokens[^2]));
    }

    [Fact]
    public void Scripted_model_greedy_output_is_the_script_then_end_of_generation()
    {
        using var backend = TestBackends.Create(TestModels.Scripted);
        var prompt = backend.ChatTemplate.Apply([new ChatMessage("user", "Say your line.")], addGenerationPrompt: true);
        var tokens = backend.Tokenizer.Tokenize(prompt, addSpecial: true, parseSpecial: true);
        using var sampler = backend.CreateSampler(new SamplingParameters { Temperature = 0 }, seed: 1);

        Assert.Equal(DecodeStatus.Ok, backend.Prefill(tokens, 0));
        var output = new List<byte>();
        var index = tokens.Length - 1;
        var position = tokens.Length;
        var ended = false;
        for (var step = 0; step < 256 && !ended; step++)
        {
            var token = sampler.Sample(index);
            if (backend.Tokenizer.IsEndOfGeneration(token))
            {
                ended = true;
                break;
            }

            output.AddRange(backend.Tokenizer.TokenBytes(token));
            Assert.Equal(DecodeStatus.Ok, backend.Decode([new BatchToken(token, position++, 0, true)]));
            index = 0;
        }

        Assert.True(ended, "the scripted model should end with an end-of-generation token");
        Assert.Equal(TestModels.ScriptText, Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public void Tiny_random_batched_logits_equal_single_sequence_logits()
    {
        using var backend = TestBackends.Create(TestModels.TinyRandom);
        var a = backend.Tokenizer.Tokenize("The quick brown fox", false, false);
        var b = backend.Tokenizer.Tokenize("jumps over the lazy dog, twice.", false, false);
        var batch = a.Select((t, i) => new BatchToken(t, i, 0, i == a.Length - 1))
            .Concat(b.Select((t, i) => new BatchToken(t, i, 1, i == b.Length - 1)))
            .ToArray();

        Assert.Equal(DecodeStatus.Ok, backend.Decode(batch));
        var batchedA = backend.GetLogits(a.Length - 1).ToArray();
        var batchedB = backend.GetLogits(batch.Length - 1).ToArray();
        backend.RemoveSequence(0);
        backend.RemoveSequence(1);

        Assert.Equal(DecodeStatus.Ok, backend.Prefill(a, 2));
        var aloneA = backend.GetLogits(a.Length - 1).ToArray();
        Assert.Equal(DecodeStatus.Ok, backend.Prefill(b, 3));
        var aloneB = backend.GetLogits(b.Length - 1).ToArray();

        Assert.Equal(backend.Metadata.VocabSize, batchedA.Length);
        Assert.All(batchedA.Zip(aloneA), p => Assert.InRange(Math.Abs(p.First - p.Second), 0f, 1e-4f));
        Assert.All(batchedB.Zip(aloneB), p => Assert.InRange(Math.Abs(p.First - p.Second), 0f, 1e-4f));
    }
}
