using InferenceServer.Core.Generation;
using InferenceServer.Core.Tests.Fakes;
using static InferenceServer.Core.Tests.Fakes.EngineTestKit;

namespace InferenceServer.Core.Tests.Engine;

public class PrefixCacheTests
{
    private const string System = "you are a helpful assistant that answers briefly ";

    private static int PromptTokensDecoded(FakeModelBackend backend, int fromDecode) =>
        backend.Batches.Skip(fromDecode).Sum(b => b.Length);

    [Fact]
    public async Task A_second_request_reuses_the_cached_prefix_and_gets_the_same_output()
    {
        var backend = new FakeModelBackend(contextSize: 512);
        using var engine = Start(backend, maxSequences: 2, prefixCache: true);
        StreamResult first = await Run(engine, Request(System + "first", 5));
        int before = backend.DecodeCount;
        StreamResult second = await Run(engine, Request(System + "second question", 5));

        Assert.Equal(0, first.Final.Usage!.CachedPromptTokens);
        Assert.Equal(System.Length, second.Final.Usage!.CachedPromptTokens);
        Assert.Equal((System + "second question").Length, second.Final.Usage.PromptTokens);
        // Only the new part of the prompt and the generated tokens were decoded.
        Assert.Equal("second question".Length + 4, PromptTokensDecoded(backend, before));

        var cold = new FakeModelBackend(contextSize: 512);
        using var coldEngine = Start(cold, maxSequences: 2, prefixCache: false);
        StreamResult reference = await Run(coldEngine, Request(System + "second question", 5));
        Assert.Equal(reference.Text, second.Text);
        Assert.Equal(0, reference.Final.Usage!.CachedPromptTokens);
    }

    [Fact]
    public async Task An_identical_prompt_recomputes_only_its_last_token()
    {
        var backend = new FakeModelBackend(contextSize: 512);
        using var engine = Start(backend, maxSequences: 1, prefixCache: true);
        StreamResult first = await Run(engine, Request("same prompt", 3));
        StreamResult second = await Run(engine, Request("same prompt", 3));
        Assert.Equal("same prompt".Length - 1, second.Final.Usage!.CachedPromptTokens);
        Assert.Equal(first.Text, second.Text);
    }

    [Fact]
    public async Task A_multi_turn_chat_reuses_the_previous_turn_including_its_answer()
    {
        var backend = new FakeModelBackend(contextSize: 512);
        using var engine = Start(backend, maxSequences: 4, prefixCache: true);
        StreamResult turn1 = await Run(engine, Request("hello there", 6));
        string history = "hello there" + turn1.Text;
        StreamResult turn2 = await Run(engine, Request(history + " more", 4));
        Assert.True(turn2.Final.Usage!.CachedPromptTokens >= turn1.Final.Usage!.PromptTokens,
            $"cached {turn2.Final.Usage.CachedPromptTokens} >= first turn's prompt {turn1.Final.Usage.PromptTokens}");
    }

    [Fact]
    public async Task A_running_sequence_shares_its_prefix_with_a_new_one_in_another_slot()
    {
        var backend = new FakeModelBackend(contextSize: 1024, batchSize: 64);
        using var gate = new DecodeGate(backend, atDecode: 3);
        using var engine = Start(backend, maxSequences: 4, prefixCache: true);
        Task<StreamResult> running = Run(engine, Request(System + "long one", 40));
        gate.WaitReached();
        Task<StreamResult> joining = Run(engine, Request(System + "short", 3));
        gate.Release();
        StreamResult joined = await joining;
        await running;

        Assert.Equal(System.Length, joined.Final.Usage!.CachedPromptTokens);
        Assert.Equal(1, backend.Copies);
        var reference = new FakeModelBackend(contextSize: 1024);
        using var referenceEngine = Start(reference, prefixCache: false);
        Assert.Equal((await Run(referenceEngine, Request(System + "short", 3))).Text, joined.Text);
    }

    [Fact]
    public async Task Cancelling_the_sequence_a_prefix_was_copied_from_leaves_the_copy_intact()
    {
        var backend = new FakeModelBackend(contextSize: 2048, batchSize: 64);
        using var gate = new DecodeGate(backend, atDecode: 3);
        using var engine = Start(backend, maxSequences: 4, prefixCache: true);
        using var cancel = new CancellationTokenSource();
        Task<StreamResult> source = Run(engine, Request(System + "source", 900), cancel.Token);
        gate.WaitReached();
        Task<StreamResult> copy = Run(engine, Request(System + "copy", 60));
        backend.DecodeDelayMs = 5; // the source's 900 tokens take seconds: it is still running when it is cancelled, even on a loaded machine
        gate.Release();
        while (backend.Copies == 0 && !copy.IsCompleted)
        {
            await Task.Delay(5);
        }

        await cancel.CancelAsync();
        StreamResult copied = await copy;
        try
        {
            Assert.Equal(FinishReason.Cancelled, (await source).Final.FinishReason);
        }
        catch (OperationCanceledException)
        {
            // the consumer's own token ended the stream: also a cancellation
        }

        Assert.Equal(System.Length, copied.Final.Usage!.CachedPromptTokens);
        var reference = new FakeModelBackend(contextSize: 2048);
        using var referenceEngine = Start(reference, prefixCache: false);
        Assert.Equal((await Run(referenceEngine, Request(System + "copy", 60))).Text, copied.Text);
        Assert.Equal(FinishReason.Length, copied.Final.FinishReason);
    }

    [Fact]
    public async Task Cached_prefixes_are_evicted_least_recently_used_first_when_cells_run_out()
    {
        // 3 slots, 120 cells: three finished 35-token sequences fill most of the cache.
        var backend = new FakeModelBackend(contextSize: 120, batchSize: 64);
        // The context's own eviction: with the host tier an evicted prefix would come back from host memory.
        using var engine = Start(backend, maxSequences: 3, prefixCache: true, configure: o => o.PrefixCacheHostMiB = 0);
        string a = new('a', 30), b = new('b', 30), c = new('c', 30);
        await Run(engine, Request(a, 5));
        await Run(engine, Request(b, 5));
        await Run(engine, Request(c, 5));
        Assert.True(backend.TotalCells >= 3 * 34, $"finished sequences keep their cells ({backend.TotalCells})");

        // Needs 60 + 20 cells: 'a' (least recently used) and then 'b' must go; 'c' may stay.
        StreamResult big = await Run(engine, Request(new string('d', 60), 20));
        Assert.Equal(FinishReason.Length, big.Final.FinishReason);
        Assert.Equal(0, (await Run(engine, Request(a + "x", 1))).Final.Usage!.CachedPromptTokens);
        Assert.True(backend.TotalCells <= 120);
    }

    [Fact]
    public async Task Under_pressure_many_requests_still_finish_with_the_outputs_they_get_alone()
    {
        var prompts = Enumerable.Range(0, 24).Select(i => System[..(10 + i % 7 * 5)] + (char)('a' + i % 26) + "question").ToList();
        var expected = new List<string>();
        foreach (string prompt in prompts)
        {
            var alone = new FakeModelBackend(contextSize: 512);
            using var aloneEngine = Start(alone, maxSequences: 1, prefixCache: false);
            expected.Add((await Run(aloneEngine, Request(prompt, 12))).Text);
        }

        var backend = new FakeModelBackend(contextSize: 160, batchSize: 32);
        using var engine = Start(backend, maxSequences: 4, maxPrefillChunk: 8, prefixCache: true);
        StreamResult[] results = await Task.WhenAll(prompts.Select(p => Run(engine, Request(p, 12))));
        for (int i = 0; i < prompts.Count; i++)
        {
            Assert.Equal(expected[i], results[i].Text);
            Assert.Equal(FinishReason.Length, results[i].Final.FinishReason);
        }

        Assert.Contains(results, r => r.Final.Usage!.CachedPromptTokens > 0);
        await engine.WaitForIdleAsync(CancellationToken.None);
        Assert.Equal(0, backend.LiveSamplers);
        Assert.True(backend.TotalCells <= 160);
    }

    [Fact]
    public async Task With_the_cache_off_nothing_is_reused_and_every_cell_is_freed()
    {
        var backend = new FakeModelBackend(contextSize: 512);
        using var engine = Start(backend, maxSequences: 2, prefixCache: false);
        await Run(engine, Request(System + "first", 5));
        StreamResult second = await Run(engine, Request(System + "second", 5));
        Assert.Equal(0, second.Final.Usage!.CachedPromptTokens);
        await engine.WaitForIdleAsync(CancellationToken.None);
        Assert.Equal(0, backend.TotalCells);
        Assert.Equal(0, backend.Copies);
    }
}
