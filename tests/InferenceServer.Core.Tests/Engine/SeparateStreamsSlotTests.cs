using InferenceServer.Core.Engine;
using InferenceServer.Core.Generation;
using InferenceServer.Core.Tests.Fakes;
using static InferenceServer.Core.Tests.Fakes.EngineTestKit;

namespace InferenceServer.Core.Tests.Engine;

/// <summary>
/// With one KV stream per slot, llama.cpp computes each run of consecutive sequence ids in a batch as its own
/// micro-batch (every weight read again), so the engine keeps running sequences in consecutive slots and lays each
/// batch out in slot order; the prefix cache reuses a prefix in place only in such a slot and copies a long one there.
/// </summary>
public class SeparateStreamsSlotTests
{
    private const int Slots = 8;

    /// <summary>68 tokens: longer than the shortest prefix copied between streams.</summary>
    private const string LongSystem = "you are a helpful assistant who answers every question briefly and well ";

    private static FakeModelBackend Backend() => new(contextSize: 2048, batchSize: 256, maxSequences: Slots, separateStreams: true);

    private static int[] SequenceIds(BatchToken[] batch) => batch.Select(t => t.SequenceId).Distinct().ToArray();

    /// <summary>Every batch's sequences form one run of consecutive ids, laid out in ascending order.</summary>
    private static void AssertOneAscendingRun(IEnumerable<BatchToken[]> batches)
    {
        foreach (BatchToken[] batch in batches)
        {
            int[] ids = SequenceIds(batch);
            Assert.Equal(ids.Order(), ids);
            Assert.True(ids[^1] - ids[0] == ids.Length - 1, $"sequences {string.Join(",", ids)} are one run");
            Assert.Equal(batch.Select(t => t.SequenceId).Order(), batch.Select(t => t.SequenceId));
        }
    }

    private static GenerationRequest Prompt(char first, int maxTokens) =>
        Request(new string(first, 3) + " question", maxTokens);

    [Fact]
    public async Task Sequences_running_together_take_consecutive_slots_whatever_the_cache_holds()
    {
        FakeModelBackend backend = Backend();
        using var engine = Start(backend, maxSequences: Slots, prefixCache: true);

        // Fill every slot with a cached prefix, then touch some so the least recently used ones are scattered.
        await Task.WhenAll("abcdefgh".Select(c => Run(engine, Prompt(c, 2))));
        foreach (char c in "cga")
        {
            await Run(engine, Prompt(c, 2));
        }

        int before = backend.DecodeCount;
        using var gate = new DecodeGate(backend, atDecode: before);
        Task<StreamResult> first = Run(engine, Prompt('x', 24));
        gate.WaitReached();
        Task<StreamResult>[] others = "yz".Select(c => Run(engine, Prompt(c, 24))).ToArray();
        gate.Release();
        StreamResult[] results = await Task.WhenAll([first, .. others]);

        List<BatchToken[]> batches = backend.Batches.Skip(before).ToList();
        Assert.Contains(batches, b => SequenceIds(b).Length == 3);
        AssertOneAscendingRun(batches);
        Assert.All(results, r => Assert.Equal(FinishReason.Length, r.Final.FinishReason));
    }

    [Fact]
    public async Task A_long_prefix_cached_apart_from_the_running_slots_is_copied_next_to_them()
    {
        FakeModelBackend backend = Backend();
        using var engine = Start(backend, maxSequences: Slots, prefixCache: true);
        await Run(engine, Request(LongSystem + "first", 2));     // slot 0 keeps the long prefix
        await Run(engine, Prompt('q', 2));                        // slot 1
        await Run(engine, Prompt('r', 2));                        // slot 2

        using var gate = new DecodeGate(backend, atDecode: backend.DecodeCount + 2);
        Task<StreamResult> running = Run(engine, Prompt('k', 30)); // slot 3, away from slot 0
        gate.WaitReached();
        int before = backend.DecodeCount;
        Task<StreamResult> joining = Run(engine, Request(LongSystem + "second", 6));
        gate.Release();
        StreamResult joined = await joining;
        await running;

        Assert.Equal(LongSystem.Length, joined.Final.Usage!.CachedPromptTokens);
        Assert.Equal(1, backend.Copies);
        AssertOneAscendingRun(backend.Batches.Skip(before));

        var reference = new FakeModelBackend(contextSize: 2048);
        using var referenceEngine = Start(reference, prefixCache: false);
        Assert.Equal((await Run(referenceEngine, Request(LongSystem + "second", 6))).Text, joined.Text);
    }

    [Fact]
    public async Task A_short_prefix_cached_apart_from_the_running_slots_is_recomputed_next_to_them()
    {
        FakeModelBackend backend = Backend();
        using var engine = Start(backend, maxSequences: Slots, prefixCache: true);
        await Run(engine, Request("short system first", 2));     // slot 0
        await Run(engine, Prompt('q', 2));                        // slot 1
        await Run(engine, Prompt('r', 2));                        // slot 2

        using var gate = new DecodeGate(backend, atDecode: backend.DecodeCount + 2);
        Task<StreamResult> running = Run(engine, Prompt('k', 30)); // slot 3
        gate.WaitReached();
        int before = backend.DecodeCount;
        Task<StreamResult> joining = Run(engine, Request("short system second", 6));
        gate.Release();
        StreamResult joined = await joining;
        await running;

        Assert.Equal(0, joined.Final.Usage!.CachedPromptTokens);
        Assert.Equal(0, backend.Copies);
        AssertOneAscendingRun(backend.Batches.Skip(before));
    }

    [Fact]
    public async Task With_the_unified_cache_a_prefix_is_reused_in_place_wherever_it_is()
    {
        var backend = new FakeModelBackend(contextSize: 2048, batchSize: 256, maxSequences: Slots);
        using var engine = Start(backend, maxSequences: Slots, prefixCache: true);
        await Run(engine, Request("short system first", 2));     // slot 0
        await Run(engine, Prompt('q', 2));                        // slot 1
        await Run(engine, Prompt('r', 2));                        // slot 2

        using var gate = new DecodeGate(backend, atDecode: backend.DecodeCount + 2);
        Task<StreamResult> running = Run(engine, Prompt('k', 30)); // slot 3
        gate.WaitReached();
        Task<StreamResult> joining = Run(engine, Request("short system second", 6));
        gate.Release();
        StreamResult joined = await joining;
        await running;

        Assert.Equal("short system ".Length, joined.Final.Usage!.CachedPromptTokens);
        Assert.Equal(0, backend.Copies);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_sequence_finishing_between_running_ones_makes_the_last_one_move_into_its_slot(bool prefixCache)
    {
        FakeModelBackend backend = Backend();
        using var engine = Start(backend, maxSequences: Slots, prefixCache: prefixCache);
        using var gate = new DecodeGate(backend, atDecode: 0);
        Task<StreamResult> first = Run(engine, Prompt('a', 30));
        gate.WaitReached();
        Task<StreamResult> shortOne = Run(engine, Prompt('b', 3));
        Task<StreamResult> last = Run(engine, Prompt('c', 30));
        gate.Release();
        StreamResult[] results = await Task.WhenAll(first, shortOne, last);

        List<BatchToken[]> batches = backend.Batches;
        Assert.Contains(batches, b => SequenceIds(b).SequenceEqual([0, 1, 2]));
        Assert.Contains(batches, b => SequenceIds(b).SequenceEqual([0, 1]));
        AssertOneAscendingRun(batches);
        Assert.Equal(1, backend.Copies);

        var reference = new FakeModelBackend(contextSize: 2048);
        using var referenceEngine = Start(reference);
        Assert.Equal((await Run(referenceEngine, Prompt('a', 30))).Text, results[0].Text);
        Assert.Equal((await Run(referenceEngine, Prompt('c', 30))).Text, results[2].Text);
        Assert.Equal(0, engine.GetSnapshot().Running);
    }
}
