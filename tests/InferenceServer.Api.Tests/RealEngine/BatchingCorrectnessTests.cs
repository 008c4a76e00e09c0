namespace InferenceServer.Api.Tests.RealEngine;

/// <summary>
/// Continuous batching must not change what a sequence generates: 8 greedy requests with different prompts (and
/// prompt lengths) return, when run concurrently in one batch, exactly what each returns alone.
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
        Func<string, Task<ChatResult>> send = stream
            ? p => RealHttp.StreamChatAsync(client, Body(p))
            : p => RealHttp.ChatAsync(client, Body(p));

        var solo = new List<ChatResult>();
        foreach (var prompt in Prompts)
        {
            solo.Add(await send(prompt));
        }

        var together = await Task.WhenAll(Prompts.Select(send));

        for (var i = 0; i < Prompts.Length; i++)
        {
            Assert.Equal("length", solo[i].FinishReason);
            Assert.Equal(MaxTokens, solo[i].CompletionTokens);
            Assert.True(solo[i] == together[i], $"Prompt {i} ({Prompts[i]}): alone {solo[i]}, batched {together[i]}");
        }

        // Not all the same text: the prompts really steer generation (else the comparison would prove little).
        Assert.True(solo.Select(r => r.Text).Distinct().Count() > 1);
    }

    [Fact]
    public async Task Streamed_and_non_streamed_solo_runs_agree()
    {
        var client = await factory.ReadyClientAsync();
        foreach (var prompt in Prompts.Take(3))
        {
            Assert.Equal(await RealHttp.ChatAsync(client, Body(prompt)), await RealHttp.StreamChatAsync(client, Body(prompt)));
        }
    }
}
