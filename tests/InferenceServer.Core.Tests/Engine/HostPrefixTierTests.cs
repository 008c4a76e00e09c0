using InferenceServer.Core.Engine;
using InferenceServer.Core.Generation;
using InferenceServer.Core.Tests.Fakes;
using static InferenceServer.Core.Tests.Fakes.EngineTestKit;

namespace InferenceServer.Core.Tests.Engine;

/// <summary>The prefix cache's host-memory tier: prefixes that leave the KV cache come back from host memory.</summary>
public class HostPrefixTierTests
{
    private static readonly string A = new('a', 40), B = new('b', 40), C = new('c', 40);

    private static async Task<string> Alone(string prompt, int maxTokens)
    {
        var backend = new FakeModelBackend(contextSize: 512);
        using var engine = Start(backend, maxSequences: 1, prefixCache: false);
        return (await Run(engine, Request(prompt, maxTokens))).Text;
    }

    [Fact]
    public async Task A_prefix_evicted_for_cells_is_restored_from_host_memory_with_the_same_output()
    {
        // 3 slots, 150 cells: three finished 44-token sequences fill most of the cache; a 100-token request evicts two.
        var backend = new FakeModelBackend(contextSize: 150, batchSize: 64);
        using var engine = Start(backend, maxSequences: 3, prefixCache: true);
        await Run(engine, Request(A, 5));
        await Run(engine, Request(B, 5));
        await Run(engine, Request(C, 5));
        await Run(engine, Request(new string('d', 80), 20));
        Assert.True(backend.StatesSaved >= 1, $"states saved: {backend.StatesSaved}");

        StreamResult again = await Run(engine, Request(A + "x", 6));
        Assert.Equal(A.Length, again.Final.Usage!.CachedPromptTokens);
        Assert.Equal(1, backend.StatesRestored);
        Assert.Equal(await Alone(A + "x", 6), again.Text);
        Assert.True(backend.TotalCells <= 150);
    }

    [Fact]
    public async Task A_conversation_whose_slot_was_taken_continues_from_host_memory()
    {
        var backend = new FakeModelBackend(contextSize: 512);
        using var engine = Start(backend, maxSequences: 1, prefixCache: true);
        StreamResult turn1 = await Run(engine, Request(A, 8));
        await Run(engine, Request(B, 8)); // takes the only slot: A's cells are saved, then overwritten

        string history = A + turn1.Text + " and then";
        StreamResult turn2 = await Run(engine, Request(history, 6));
        Assert.True(turn2.Final.Usage!.CachedPromptTokens >= turn1.Final.Usage!.PromptTokens,
            $"cached {turn2.Final.Usage.CachedPromptTokens} >= first turn's prompt {turn1.Final.Usage.PromptTokens}");
        Assert.Equal(1, backend.StatesRestored);
        Assert.Equal(await Alone(history, 6), turn2.Text);
    }

    [Fact]
    public async Task A_restore_that_does_not_fit_is_recomputed_instead()
    {
        var backend = new FakeModelBackend(contextSize: 512) { FailRestores = true };
        using var engine = Start(backend, maxSequences: 1, prefixCache: true);
        await Run(engine, Request(A, 8));
        await Run(engine, Request(B, 8));

        StreamResult again = await Run(engine, Request(A + "y", 6));
        Assert.Equal(0, again.Final.Usage!.CachedPromptTokens);
        Assert.Equal(FinishReason.Length, again.Final.FinishReason);
        Assert.Equal(await Alone(A + "y", 6), again.Text);
        Assert.Equal(0, backend.StatesRestored);
        Assert.Equal(A.Length + 1 + 5, backend.TotalCells); // only the new sequence's cells: the failed restore left none
    }

    [Fact]
    public async Task A_state_api_that_throws_costs_the_cached_prefix_not_the_request()
    {
        var backend = new FakeModelBackend(contextSize: 512);
        using var engine = Start(backend, maxSequences: 1, prefixCache: true);
        await Run(engine, Request(A, 8));
        backend.ThrowOnStates = true; // the save when B takes the slot throws
        StreamResult b = await Run(engine, Request(B, 8));
        Assert.Equal(FinishReason.Length, b.Final.FinishReason);
        Assert.Equal(await Alone(B, 8), b.Text);

        backend.ThrowOnStates = false;
        await Run(engine, Request(C, 8)); // saves B
        backend.ThrowOnStates = true; // the restore of B throws: recomputed instead
        StreamResult again = await Run(engine, Request(B + "w", 6));
        Assert.Equal(0, again.Final.Usage!.CachedPromptTokens);
        Assert.Equal(await Alone(B + "w", 6), again.Text);
        Assert.Equal(B.Length + 1 + 5, backend.TotalCells);
    }

    [Fact]
    public async Task Prefixes_shorter_than_the_minimum_are_not_saved()
    {
        var backend = new FakeModelBackend(contextSize: 512);
        using var engine = Start(backend, maxSequences: 1, prefixCache: true);
        await Run(engine, Request("short one", 4));
        await Run(engine, Request("other one", 4));
        Assert.Equal(0, backend.StatesSaved);
    }

    [Fact]
    public async Task With_the_host_tier_off_an_overwritten_prefix_is_recomputed()
    {
        var backend = new FakeModelBackend(contextSize: 512);
        using var engine = Start(backend, maxSequences: 1, prefixCache: true, configure: o => o.PrefixCacheHostMiB = 0);
        await Run(engine, Request(A, 8));
        await Run(engine, Request(B, 8));
        StreamResult again = await Run(engine, Request(A + "z", 4));
        Assert.Equal(0, again.Final.Usage!.CachedPromptTokens);
        Assert.Equal(0, backend.StatesSaved);
    }

    [Fact]
    public void The_store_keeps_the_most_recently_used_states_within_its_budget()
    {
        var store = new HostPrefixStore(capacityBytes: 100);
        int[] one = [1, 2, 3], two = [4, 5, 6], three = [7, 8, 9];
        FakeKvState first = State(40), second = State(40), tooLarge = State(101);
        Assert.True(store.Add(one, first));
        Assert.True(store.Add(two, second));
        Assert.True(store.Covers([1, 2])); // touching 'one' makes 'two' the least recently used
        Assert.True(store.Add(three, State(40)));

        Assert.Equal(2, store.Count);
        Assert.Equal(80, store.Bytes);
        Assert.True(second.Disposed, "an evicted state is freed");
        Assert.False(first.Disposed);
        Assert.Equal(0, store.FindLongest([4, 5, 6, 0], limit: 4).Common);
        Assert.Equal(3, store.FindLongest([1, 2, 3, 0], limit: 4).Common);
        Assert.Equal(2, store.FindLongest([1, 2, 3, 0], limit: 2).Common);
        Assert.False(store.Add([1], tooLarge)); // larger than the whole budget
        Assert.True(tooLarge.Disposed, "a state the store does not keep is freed");
    }

    [Fact]
    public void A_longer_state_replaces_the_ones_it_extends()
    {
        var store = new HostPrefixStore(capacityBytes: 1000);
        FakeKvState shorter = State(10), longer = State(20);
        store.Add([1, 2], shorter);
        store.Add([1, 2, 3, 4], longer);
        Assert.Equal(1, store.Count);
        Assert.Equal(20, store.Bytes);
        Assert.True(shorter.Disposed);
        Assert.True(store.Covers([1, 2, 3]));
        Assert.False(store.Covers([1, 2, 5]));
        var (entry, common) = store.FindLongest([1, 2, 3, 9], limit: 10);
        Assert.Equal(3, common);
        Assert.Equal([1, 2, 3, 4], entry!.Tokens);

        store.Dispose();
        Assert.True(longer.Disposed);
        Assert.Equal((0, 0L), (store.Count, store.Bytes));
    }

    [Fact]
    public async Task Every_saved_state_is_freed_once_the_engine_stops()
    {
        var backend = new FakeModelBackend(contextSize: 150, batchSize: 64);
        using (var engine = Start(backend, maxSequences: 3, prefixCache: true))
        {
            await Run(engine, Request(A, 5));
            await Run(engine, Request(B, 5));
            await Run(engine, Request(C, 5));
            await Run(engine, Request(new string('d', 80), 20));
            Assert.True(backend.LiveStates >= 1, $"states held: {backend.LiveStates}");
        }

        Assert.Equal(0, backend.LiveStates);
    }

    [Fact]
    public async Task After_a_second_with_nothing_to_do_idle_prefixes_move_to_host_memory_keeping_the_most_recent()
    {
        var backend = new FakeModelBackend(contextSize: 4096, maxSequences: 4);
        using var engine = Start(backend, maxSequences: 4, prefixCache: true);
        foreach (string prompt in new[] { A120, B120, C120, D120 })
        {
            await Run(engine, Request(prompt, 5));
        }

        // 496 idle cells: A and then B leave (372, then 248 idle cells, under 256); C and D, the most recent, stay.
        await WaitFor(engine, s => s.HostPrefixEntries == 2);
        await Task.Delay(300);
        Assert.Equal((2, 2 * 124), (backend.StatesSaved, backend.TotalCells));

        StreamResult again = await Run(engine, Request(D120 + "x", 4));
        Assert.Equal(D120.Length, again.Final.Usage!.CachedPromptTokens);
        Assert.Equal(0, backend.StatesRestored); // reused in place
    }

    [Fact]
    public async Task The_most_recently_used_prefix_stays_in_place_while_idle_however_long_it_is()
    {
        var backend = new FakeModelBackend(contextSize: 4096, maxSequences: 4);
        using var engine = Start(backend, maxSequences: 4, prefixCache: true);
        await Run(engine, Request(new string('e', 400), 5));

        await Task.Delay(EngineLoop.IdleShedDelay + TimeSpan.FromMilliseconds(500));

        Assert.Equal(0, backend.StatesSaved);
        Assert.Equal(404, backend.TotalCells);
    }

    private static FakeKvState State(long bytes) => new(cells: 1, bytes);

    private static readonly string A120 = new('a', 120), B120 = new('b', 120), C120 = new('c', 120), D120 = new('d', 120);

    /// <summary>Three finished 120-token prompts (124 cells each) leave 372 idle cells; a fourth request then decodes.</summary>
    private static async Task<(InferenceEngine Engine, FakeModelBackend Backend)> IdlePrefixesThenOneStream(bool shed = true, bool separateStreams = false)
    {
        var backend = new FakeModelBackend(contextSize: 4096, maxSequences: 4, separateStreams: separateStreams);
        var engine = Start(backend, maxSequences: 4, prefixCache: true, configure: o => o.ShedIdlePrefixes = shed);
        foreach (string prompt in new[] { A120, B120, C120 })
        {
            await Run(engine, Request(prompt, 5));
        }

        await Run(engine, Request(D120, 20));
        return (engine, backend);
    }

    [Fact]
    public async Task While_a_sequence_decodes_idle_prefixes_move_to_host_memory_until_fewer_than_256_cells_are_idle()
    {
        var (engine, backend) = await IdlePrefixesThenOneStream();
        using (engine)
        {
            Assert.Equal(1, backend.StatesSaved); // A (least recently used): 372 idle cells, 248 after it left
            Assert.Equal(2 * 124 + 139, backend.TotalCells);
        }
    }

    [Fact]
    public async Task A_prefix_is_shed_in_a_decode_only_step_never_in_one_that_carries_a_new_prompt()
    {
        var (engine, backend) = await IdlePrefixesThenOneStream();
        using (engine)
        {
            // Shedding copies cells into fresh host memory (milliseconds): in a prompt's step it would add to that
            // request's time to first token, so it waits for a step of decoding tokens only.
            int savedAfter = Assert.Single(backend.SavedAfterBatches);
            Assert.Single(backend.Batches[savedAfter]);
        }
    }

    [Fact]
    public async Task A_shed_prefix_comes_back_from_host_memory_with_the_same_output()
    {
        var (engine, backend) = await IdlePrefixesThenOneStream();
        using (engine)
        {
            StreamResult again = await Run(engine, Request(A120 + "x", 6));
            Assert.Equal(A120.Length, again.Final.Usage!.CachedPromptTokens);
            Assert.Equal(1, backend.StatesRestored);
            Assert.Equal(await Alone(A120 + "x", 6), again.Text);
        }
    }

    [Theory]
    [InlineData(false, false)] // Engine:ShedIdlePrefixes off
    [InlineData(true, true)]   // one KV stream per slot: a step reads only its own sequences' streams
    public async Task Idle_prefixes_stay_in_the_kv_cache_when_shedding_is_off_or_streams_are_separate(bool shed, bool separateStreams)
    {
        var (engine, backend) = await IdlePrefixesThenOneStream(shed, separateStreams);
        using (engine)
        {
            Assert.Equal(0, backend.StatesSaved);
            Assert.Equal(3 * 124 + 139, backend.TotalCells);
        }
    }
}
