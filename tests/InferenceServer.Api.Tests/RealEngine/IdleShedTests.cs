namespace InferenceServer.Api.Tests.RealEngine;

/// <summary>
/// Idle prefixes leave the KV cache while the engine has nothing to do (issue 11), on the real engine: four chats run
/// side by side and finish together; after a second with nothing to do older ones move to host memory until fewer
/// than 256 cells are idle, never the most recently used. Every second turn then gives the output of a server
/// without any cache, with the first turn's prompt cached.
/// </summary>
public sealed class IdleShedTests(IsolatedTinyRandomEngineFactory server, TinyRandomNoCacheEngineFactory uncached)
    : IClassFixture<IsolatedTinyRandomEngineFactory>, IClassFixture<TinyRandomNoCacheEngineFactory>
{
    private static readonly string[] Topics = ["rivers", "deserts", "glaciers", "forests"];

    private static string System(string topic) =>
        $"You are a patient guide who only talks about {topic}, in short plain sentences without lists or headings. ";

    private static string Body(IEnumerable<(string Role, string Content)> messages) => GreedyTrace.ChatBody(messages, maxTokens: 10);

    private static string SecondTurn(string topic, string answer) =>
        Body([("system", System(topic)), ("user", "Tell me something."), ("assistant", answer), ("user", "Go on.")]);

    [Fact]
    public async Task After_a_second_with_nothing_to_do_older_idle_prefixes_move_to_host_memory_and_every_chat_continues_unchanged()
    {
        var on = await server.ReadyClientAsync();
        var off = await uncached.ReadyClientAsync();
        // Sent together, so they are admitted in one step into four slots and finish in one step (ignore_eos, the same
        // max_tokens): each prefix is under 256 cells, and none is idle while the others decode, but together they are more.
        var firsts = await Task.WhenAll(Topics.Select(topic =>
            GreedyTrace.ChatAsync(on, Body([("system", System(topic)), ("user", "Tell me something.")]))));
        Assert.True(firsts.Sum(f => f.PromptTokens + 10) >= 256 + firsts.Max(f => f.PromptTokens + 10), $"prompts of {string.Join(", ", firsts.Select(f => f.PromptTokens))} tokens leave too few idle cells");
        Assert.True(firsts.All(f => f.PromptTokens + 10 < 256), "each prefix must stay under 256 cells");
        int before = server.Engine.GetSnapshot().HostPrefixEntries; // what the fixture's readiness request left

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (server.Engine.GetSnapshot().HostPrefixEntries == before)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no idle prefix was moved to host memory ({before} entries)");
            await Task.Delay(50);
        }

        await Task.Delay(300);
        Assert.InRange(server.Engine.GetSnapshot().HostPrefixEntries, before + 1, before + 3); // never the most recently used one

        foreach (var (topic, first) in Topics.Zip(firsts))
        {
            var second = SecondTurn(topic, first.Text);
            var reference = await GreedyTrace.ChatAsync(off, second);
            var cached = await GreedyTrace.ChatAsync(on, second);
            GreedyTrace.AssertSameUpToTies(reference, cached, $"{topic}: second turn without any cache vs after the idle engine moved prefixes out");
            Assert.True(cached.CachedTokens >= first.PromptTokens, $"{topic}: cached {cached.CachedTokens}, first turn's prompt {first.PromptTokens}");
        }
    }
}
