using System.Text;
using InferenceServer.Training.Data;
using InferenceServer.Training.Evaluation;
using InferenceServer.TestKit;
using LLama;
using LLama.Common;
using LLama.Native;

namespace InferenceServer.Training.Tests.Training;

public sealed class TinyTrainingTests(TinyTrainingFixture fixture) : IClassFixture<TinyTrainingFixture>
{
    [Fact]
    public void A_short_training_run_lowers_the_loss()
    {
        var first = fixture.Losses.Take(3).Average();
        var last = fixture.Losses.TakeLast(3).Average();
        Assert.All(fixture.Losses, l => Assert.True(double.IsFinite(l)));
        Assert.True(last < first - 1.0, $"loss went from {first:F3} to {last:F3}");
        Assert.All(fixture.AnswerLosses, l => Assert.True(double.IsFinite(l) && l > 0));
    }

    [Fact]
    public void Training_graph_cross_entropy_equals_llama_cpp_inference_on_held_out_tokens()
    {
        var ce = CrossEntropyCheck.Run(fixture.Session, fixture.Tokenizer, fixture.SavedPath, threads: 1);
        Assert.True(ce.Tokens > 100);
        Assert.True(ce.AbsoluteDifference < 1e-3, $"training graph {ce.TrainingGraph:F6} vs llama.cpp {ce.LlamaCpp:F6}");
    }

    [Fact]
    public void Saved_file_loads_in_llamasharp_with_gqa_chatml_and_serves_a_greedy_reply()
    {
        var p = new ModelParams(fixture.SavedPath) { ContextSize = 256, GpuLayerCount = 0, Threads = 1 };
        using var weights = LLamaWeights.LoadFromFile(p);
        var handle = weights.NativeHandle;
        Assert.True(handle.KVHeadCount < handle.HeadCount);
        var imEnd = handle.Tokenize(ChatMlFormatter.ImEnd, false, true, Encoding.UTF8);
        Assert.Single(imEnd);
        Assert.True(imEnd[0].IsEndOfGeneration(handle.Vocab));

        using var session = new LlamaModelSession(fixture.SavedPath, 256, 1);
        var ex = HeldOutSet.Generate(1)[0];
        var prompt = session.ApplyTemplate(ex.Messages.Select(m => (m.Role, m.Content)));
        Assert.Equal(ChatMlFormatter.FormatPrompt(ex.Messages), prompt);
        var reply = session.Greedy(session.Tokenize(prompt, session.AddBos, special: true), maxTokens: 8);
        Assert.NotNull(reply);
    }

    [Fact]
    public void Chatml_formatter_matches_llama_cpp_template_for_every_kind_of_prompt()
    {
        using var session = new LlamaModelSession(TestModels.TinyRandom, 256, 1);
        foreach (var ex in HeldOutSet.Generate(30))
        {
            Assert.Equal(ChatMlFormatter.FormatPrompt(ex.Messages), session.ApplyTemplate(ex.Messages.Select(m => (m.Role, m.Content))));
        }
    }
}
