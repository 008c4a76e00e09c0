using System.Net;
using System.Text.Json;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests.RealEngine;

/// <summary>
/// <c>Model:UnifiedKvCache=false</c> on the real engine: one KV stream per slot. Outputs equal the unified server's
/// (up to numerical ties, <see cref="GreedyTrace"/>), alone and batched; the prefix cache still reuses prefixes, across
/// slots too (llama.cpp copies a whole stream, then the copy is trimmed: a partial copy between streams would abort
/// the process); beam search forks work; and a sequence is limited to its slot's share of the context.
/// </summary>
public sealed class SeparateKvStreamsTests(TinyRandomStreamsEngineFactory streams, TinyRandomNoCacheEngineFactory unified)
    : IClassFixture<TinyRandomStreamsEngineFactory>, IClassFixture<TinyRandomNoCacheEngineFactory>
{
    // Long enough (well over the engine's 64-token minimum for a copy between streams) that later requests copy it.
    private const string System = "You are a careful assistant. Answer every question in one short sentence, with no preamble, "
        + "never repeat the question back, never apologise, and never add a closing remark. Prefer plain words to jargon, "
        + "numbers to adjectives, and examples to definitions. When you do not know, say so in five words or fewer.";
    private static readonly string[] Questions = ["What is the sea?", "Name a colour.", "Why is the sky blue?", "Say hello."];

    private static string Ask(string question, int maxTokens = 12) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["model"] = TinyRandomEngineFactory.TinyModelId,
        ["messages"] = new[] { new Dictionary<string, string> { ["role"] = "system", ["content"] = System }, new Dictionary<string, string> { ["role"] = "user", ["content"] = question } },
        ["temperature"] = 0,
        ["max_tokens"] = maxTokens,
        ["ignore_eos"] = true,
    });

    [Fact]
    public async Task Each_sequence_gets_its_slot_share_of_the_context()
    {
        await streams.ReadyClientAsync();
        var metadata = streams.Engine.GetSnapshot();
        Assert.Equal(8, metadata.MaxSequences);
        var client = streams.CreateClient();
        var (status, body, _) = await PostJsonAsync(client, "/v1/completions",
            "{\"model\":\"" + TinyRandomEngineFactory.TinyModelId + "\",\"prompt\":" + JsonSerializer.Serialize(string.Join(' ', Enumerable.Repeat("word", 300))) + ",\"max_tokens\":4}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("context_length_exceeded", body.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("256", body.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Outputs_equal_the_unified_servers_alone_cached_and_batched()
    {
        var on = await streams.ReadyClientAsync();
        var reference = await unified.ReadyClientAsync();
        var expected = new List<GreedyTrace>();
        foreach (var question in Questions)
        {
            expected.Add(await GreedyTrace.ChatAsync(reference, Ask(question)));
        }

        // One after another: from the second on, the shared system prompt is found in an idle slot.
        var cached = 0;
        for (var i = 0; i < Questions.Length; i++)
        {
            var trace = await GreedyTrace.ChatAsync(on, Ask(Questions[i]));
            GreedyTrace.AssertSameUpToTies(expected[i], trace, $"sequential request {i}");
            cached += trace.CachedTokens!.Value;
        }

        Assert.True(cached > 0, "the shared system prompt was reused");

        // All at once, twice over: later ones copy the prefix from a running or idle slot's stream (a whole-stream copy, then a trim).
        var together = await Task.WhenAll(Questions.Concat(Questions).Select(q => GreedyTrace.ChatAsync(on, Ask(q))));
        for (var i = 0; i < together.Length; i++)
        {
            GreedyTrace.AssertSameUpToTies(expected[i % Questions.Length], together[i], $"concurrent request {i}");
            Assert.True(together[i].CachedTokens >= 64, $"concurrent request {i} reused {together[i].CachedTokens} tokens");
        }

        await streams.WaitForIdleSlotsAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Outputs_are_unchanged_when_short_requests_finish_between_long_ones()
    {
        // Short and long requests interleaved: the short ones finish first and leave holes between running slots, which
        // the engine closes by moving the last running sequence (its whole stream) into the hole.
        var on = await streams.ReadyClientAsync();
        var reference = await unified.ReadyClientAsync();
        var asks = Enumerable.Range(0, 8).Select(i => Ask(Questions[i % Questions.Length], i % 2 == 0 ? 24 : 3)).ToArray();
        var expected = new List<GreedyTrace>();
        foreach (var ask in asks)
        {
            expected.Add(await GreedyTrace.ChatAsync(reference, ask));
        }

        var together = await Task.WhenAll(asks.Select(a => GreedyTrace.ChatAsync(on, a)));
        for (var i = 0; i < together.Length; i++)
        {
            GreedyTrace.AssertSameUpToTies(expected[i], together[i], $"request {i}");
        }

        await streams.WaitForIdleSlotsAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Beam_search_forks_streams()
    {
        var client = await streams.ReadyClientAsync();
        foreach (var prompt in new[] { "the old house", "a small boat" })
        {
            var (status, body, _) = await PostJsonAsync(client, "/v1/completions",
                "{\"model\":\"" + TinyRandomEngineFactory.TinyModelId + "\",\"prompt\":" + JsonSerializer.Serialize(prompt) + ",\"max_tokens\":8,\"use_beam_search\":true,\"beam_width\":3,\"n\":2,\"ignore_eos\":true}");
            Assert.True(status == HttpStatusCode.OK, body.ToString());
            var choices = body.GetProperty("choices");
            Assert.Equal(2, choices.GetArrayLength());
            Assert.True(choices[0].GetProperty("cumulative_logprob").GetDouble() >= choices[1].GetProperty("cumulative_logprob").GetDouble());
            Assert.NotEqual(choices[0].GetProperty("text").GetString(), choices[1].GetProperty("text").GetString());
        }

        await streams.WaitForIdleSlotsAsync(TimeSpan.FromSeconds(10));
    }
}
