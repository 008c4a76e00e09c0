using System.Text.Json;
using InferenceServer.Api.Tests.RealEngine;
using InferenceServer.Training.Data;
using InferenceServer.Training.Evaluation;
using Xunit.Abstractions;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests.Scoring;

/// <summary>The default model served with its shipped settings.</summary>
public sealed class DefaultModelEngineFactory : RealEngineFactory
{
    public DefaultModelEngineFactory()
        : base(new RealEngineSettings(Path.Combine(AppContext.BaseDirectory, "models", "default.gguf"), "default", ContextSize: 4096, MaxSequences: 8, QueueCapacity: 64))
    {
    }
}

/// <summary>
/// Issue 15's scoring target: the mean cross-entropy /v1/score reports for held-out texts equals the training tool's
/// own cross-entropy (its ggml training graph, forward only) for the same tokens with the default model, to 1e-4.
/// Measured: |diff| 2e-7 to 1.3e-5 on these texts. The server keeps llama.cpp's F16 KV cache (the training graph is
/// F32), so text the model finds very unlikely (an English sentence: 10.3 nats/token) differs by ~1e-4 relative
/// (1.2e-3 absolute); docs/language-model-tools.md.
/// </summary>
public sealed class DefaultModelCrossEntropyTests(DefaultModelEngineFactory factory, ITestOutputHelper output) : IClassFixture<DefaultModelEngineFactory>
{
    [Fact]
    public async Task Server_cross_entropy_equals_the_training_tools_for_held_out_texts()
    {
        var client = await factory.ReadyClientAsync();
        var texts = HeldOutSet.Generate(6, HeldOutSet.DefaultSeed + 7)
            .Select(e => ChatMlFormatter.FormatPrompt(e.Messages) + e.Answer + ChatMlFormatter.ImEnd + "\n")
            .ToList();

        var response = await client.PostAsync("/v1/score", Json("{\"model\":\"default\",\"input\":" + JsonSerializer.Serialize(texts) + "}"));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(response.IsSuccessStatusCode, body.ToString());

        var data = body.GetProperty("data");
        for (var i = 0; i < texts.Count; i++)
        {
            var tokens = factory.Engine.Tokenizer.Tokenize(texts[i], addSpecial: true, parseSpecial: true);
            var expected = TextCrossEntropy.Compute(factory.Settings.ModelPath, tokens);
            var served = data[i].GetProperty("cross_entropy").GetDouble();
            output.WriteLine($"text {i}: {tokens.Length} tokens, server {served:F6}, training graph {expected:F6}, |diff| {Math.Abs(served - expected):E2}");
            Assert.Equal(1, data[i].GetProperty("windows").GetInt32());
            Assert.Equal(tokens.Length - 1, data[i].GetProperty("scored_tokens").GetInt32());
            Assert.Equal(Math.Exp(served), data[i].GetProperty("perplexity").GetDouble(), 9);
            Assert.True(Math.Abs(served - expected) <= 1e-4, $"text {i}: server {served}, training tool {expected}");
        }
    }
}
