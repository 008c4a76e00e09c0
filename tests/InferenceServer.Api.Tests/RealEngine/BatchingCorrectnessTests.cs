namespace InferenceServer.Api.Tests.RealEngine;

/// <summary>
/// Continuous batching must not change what a sequence generates: 8 greedy requests with different prompts (and
/// prompt lengths) return, when run concurrently in one batch, what each returns alone: the same tokens with the same
/// logprobs, up to a numerical tie (see <see cref="GreedyTrace"/>: llama.cpp's logits are batch-dependent in the last bits).
/// </summary>
public sealed class BatchingCorrectnessTests(TinyRandomEngineFactory factory) : IClassFixture<TinyRandomEngineFactory>
{
    private const int MaxTokens = 24;

    private static readonly string[] Prompts =
    [
        "Hi",
        "What is the capital of France?",
        "Write one line about the sea.",
        "A",
        "Count: one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen",
        "Explain attention in transformers in simple words, please, with an example about reading a long book.",
        "🌍 世界 hello",
        "The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog again and again.",
    ];

    private static string Body(string prompt) =>
        RealHttp.ChatBody(TinyRandomEngineFactory.TinyModelId, prompt, $"\"max_tokens\":{MaxTokens},\"ignore_eos\":true");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Eight_concurrent_greedy_requests_equal_their_solo_runs(bool stream)
    {
        var client = await factory.ReadyClientAsync();
        Assert.True(factory.Engine.GetSnapshot().MaxSequences >= 8);
        Func<string, Task<GreedyTrace>> send = stream
            ? p => GreedyTrace.StreamChatAsync(client, Body(p))
            : p => GreedyTrace.ChatAsync(client, Body(p));

        var solo = new List<GreedyTrace>();
        foreach (var prompt in Prompts)
        {
            solo.Add(await send(prompt));
        }

        var together = await Task.WhenAll(Prompts.Select(send));

        for (var i = 0; i < Prompts.Length; i++)
        {
            Assert.Equal("length", solo[i].FinishReason);
            Assert.Equal(MaxTokens, solo[i].CompletionTokens);
            GreedyTrace.AssertSameUpToTies(solo[i], together[i], $"Prompt {i} ({Prompts[i]}) alone vs batched");
        }

        // The comparison is sharp: another prompt's generation is not "the same up to ties" (else it would prove little).
        for (var i = 0; i < Prompts.Length; i++)
        {
            var other = together[(i + 1) % Prompts.Length];
            Assert.True(GreedyTrace.Difference(solo[i], other) is not null, $"Prompt {i} passes as prompt {(i + 1) % Prompts.Length}");
        }
    }

    [Fact]
    public async Task Streamed_and_non_streamed_solo_runs_agree()
    {
        var client = await factory.ReadyClientAsync();
        foreach (var prompt in Prompts.Take(3))
        {
            GreedyTrace.AssertSameUpToTies(await GreedyTrace.ChatAsync(client, Body(prompt)), await GreedyTrace.StreamChatAsync(client, Body(prompt)), prompt);
        }
    }
}
