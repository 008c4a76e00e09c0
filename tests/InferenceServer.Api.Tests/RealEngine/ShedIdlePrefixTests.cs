
namespace InferenceServer.Api.Tests.RealEngine;

/// <summary>
/// Engine:ShedIdlePrefixes on the real engine (issue 11): two long chats run side by side and leave two idle
/// prefixes of 256+ cells. A third request takes one of their slots (saving that prefix to host memory, as any
/// takeover does); while it decodes, the other moves to host memory too, although no cells are needed. Second turns
/// then come back from host memory with the output of a server without any cache.
/// </summary>
public sealed class ShedIdlePrefixTests(TinyRandomEngineFactory server, TinyRandomNoCacheEngineFactory uncached)
    : IClassFixture<TinyRandomEngineFactory>, IClassFixture<TinyRandomNoCacheEngineFactory>
{
    private static string System(string topic) => string.Concat(Enumerable.Repeat(
        $"You are a patient guide who only talks about {topic}, in short plain sentences without lists or headings. ", 4));

    private static string Body(IEnumerable<(string Role, string Content)> messages) => GreedyTrace.ChatBody(messages, maxTokens: 10);

    [Fact]
    public async Task An_idle_prefix_shed_while_another_request_decodes_comes_back_from_host_memory_unchanged()
    {
        var on = await server.ReadyClientAsync();
        var off = await uncached.ReadyClientAsync();

        // Sent together, so they are admitted in one step into two slots (one after the other, the second would take
        // the first's slot and save it, and the test would not tell shedding apart).
        var firsts = await Task.WhenAll(
            GreedyTrace.ChatAsync(on, Body([("system", System("rivers")), ("user", "Tell me something.")])),
            GreedyTrace.ChatAsync(on, Body([("system", System("deserts")), ("user", "Tell me something.")])));
        var rivers = firsts[0];
        Assert.True(firsts.All(f => f.PromptTokens >= 256), $"prompts of {firsts[0].PromptTokens} and {firsts[1].PromptTokens} tokens leave too few idle cells");

        await GreedyTrace.ChatAsync(on, Body([("user", "Say something short.")]));
        // One was saved when its slot was taken; without shedding the other would still sit idle in the KV cache.
        Assert.Equal(2, server.Engine.GetSnapshot().HostPrefixEntries);

        var second = Body([("system", System("rivers")), ("user", "Tell me something."), ("assistant", rivers.Text), ("user", "Go on.")]);
        var reference = await GreedyTrace.ChatAsync(off, second);
        var restored = await GreedyTrace.ChatAsync(on, second);
        GreedyTrace.AssertSameUpToTies(reference, restored, "second turn without any cache vs from host memory after shedding");
        Assert.True(restored.CachedTokens >= rivers.PromptTokens, $"cached {restored.CachedTokens}, first turn's prompt {rivers.PromptTokens}");
    }
}
