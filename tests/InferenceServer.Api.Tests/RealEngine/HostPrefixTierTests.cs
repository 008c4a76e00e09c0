using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests.RealEngine;

/// <summary>
/// The prefix cache's host-memory tier on the real engine: five conversations on a two-slot server, so each one's
/// slot is taken by another before its second turn. The second turns restore the first turns' KV state from host
/// memory (cached_tokens covers the whole first turn) and give the output of a server without any cache.
/// </summary>
public sealed class HostPrefixTierTests(TinyRandomTwoSlotEngineFactory twoSlots, TinyRandomNoCacheEngineFactory uncached)
    : IClassFixture<TinyRandomTwoSlotEngineFactory>, IClassFixture<TinyRandomNoCacheEngineFactory>
{
    private static readonly string[] Topics = ["rivers", "mountains", "deserts", "forests", "oceans"];

    private static string System(string topic) =>
        $"You are a guide who only talks about {topic}. Keep every answer to one sentence, plain words, no lists, and end with a question about {topic}.";

    private static string Body(IEnumerable<(string Role, string Content)> messages) => GreedyTrace.ChatBody(messages, maxTokens: 10);

    [Fact]
    public async Task Second_turns_of_conversations_whose_slots_were_taken_come_back_from_host_memory_unchanged()
    {
        var on = await twoSlots.ReadyClientAsync();
        var off = await uncached.ReadyClientAsync();

        var firstTurns = new List<GreedyTrace>();
        foreach (var topic in Topics)
        {
            firstTurns.Add(await GreedyTrace.ChatAsync(on, Body([("system", System(topic)), ("user", "Tell me something.")])));
        }

        for (var i = 0; i < Topics.Length; i++)
        {
            var body = Body([("system", System(Topics[i])), ("user", "Tell me something."), ("assistant", firstTurns[i].Text), ("user", "Go on.")]);
            var reference = await GreedyTrace.ChatAsync(off, body);
            var second = await GreedyTrace.ChatAsync(on, body);
            GreedyTrace.AssertSameUpToTies(reference, second, $"conversation {i}: second turn without any cache vs from host memory");
            Assert.True(second.CachedTokens >= firstTurns[i].PromptTokens,
                $"conversation {i}: cached {second.CachedTokens}, first turn's prompt {firstTurns[i].PromptTokens}");
        }

        var snapshot = twoSlots.Engine.GetSnapshot();
        Assert.True(snapshot.HostPrefixEntries >= 1, $"{snapshot.HostPrefixEntries} prefixes in host memory");
        Assert.True(snapshot.HostPrefixBytes > 0);
        var metrics = await (await on.GetAsync("/metrics")).Content.ReadAsStringAsync();
        Assert.Contains("# TYPE inferenceserver_engine_prefix_cache_host_usage_bytes gauge", metrics);
        Assert.Contains("# TYPE inferenceserver_engine_prefix_cache_host_entries gauge", metrics);
    }
}
