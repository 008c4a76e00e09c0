using InferenceServer.Core.Engine;
using InferenceServer.LlamaSharp.Tests.Fixtures;

namespace InferenceServer.LlamaSharp.Tests;

[Collection(ModelCollection.Name)]
public sealed class LlamaSharpBackendTests(ModelFiles files)
{
    private const float Tolerance = 1e-4f;

    [Fact]
    public void Two_sequences_in_one_batch_give_the_same_logits_as_each_alone()
    {
        using var backend = TestBackends.Create(files.Tiny);
        var a = backend.Tokenizer.Tokenize("hello there", false, false);
        var b = backend.Tokenizer.Tokenize("a different, longer prompt", false, false);

        var batch = new List<BatchToken>();
        batch.AddRange(a.Select((t, i) => new BatchToken(t, i, 0, i == a.Length - 1)));
        batch.AddRange(b.Select((t, i) => new BatchToken(t, i, 1, i == b.Length - 1)));
        Assert.Equal(DecodeStatus.Ok, backend.Decode(batch.ToArray()));
        var batchedA = backend.GetLogits(a.Length - 1).ToArray();
        var batchedB = backend.GetLogits(batch.Count - 1).ToArray();

        Assert.Equal(TinyGguf.VocabSize, batchedA.Length);
        Assert.Equal(TinyGguf.VocabSize, batchedB.Length);

        backend.RemoveSequence(0);
        backend.RemoveSequence(1);
        Assert.Equal(DecodeStatus.Ok, backend.Prefill(a, 0));
        var aloneA = backend.GetLogits(a.Length - 1).ToArray();
        backend.RemoveSequence(0);
        Assert.Equal(DecodeStatus.Ok, backend.Prefill(b, 3));
        var aloneB = backend.GetLogits(b.Length - 1).ToArray();

        AssertClose(aloneA, batchedA);
        AssertClose(aloneB, batchedB);
        Assert.True(MaxDifference(batchedA, batchedB) > 1e-3, "different prompts should give different logits");
    }

    [Fact]
    public void Incremental_decoding_matches_one_prefill()
    {
        using var backend = TestBackends.Create(files.Tiny);
        var tokens = backend.Tokenizer.Tokenize("step by step", false, false);

        Assert.Equal(DecodeStatus.Ok, backend.Prefill(tokens, 0));
        var whole = backend.GetLogits(tokens.Length - 1).ToArray();

        Assert.Equal(DecodeStatus.Ok, backend.Prefill(tokens[..^1], 1));
        Assert.Equal(DecodeStatus.Ok, backend.Decode([new BatchToken(tokens[^1], tokens.Length - 1, 1, true)]));
        AssertClose(whole, backend.GetLogits(0).ToArray());
    }

    [Fact]
    public void Copied_sequences_continue_like_the_original()
    {
        using var backend = TestBackends.Create(files.Tiny);
        var prompt = backend.Tokenizer.Tokenize("shared prefix", false, false);
        Assert.Equal(DecodeStatus.Ok, backend.Prefill(prompt, 0));

        backend.CopySequence(0, 2, prompt.Length);
        var next = 'x';
        Assert.Equal(DecodeStatus.Ok, backend.Decode(
        [
            new BatchToken(next, prompt.Length, 0, true),
            new BatchToken(next, prompt.Length, 2, true),
        ]));

        AssertClose(backend.GetLogits(0).ToArray(), backend.GetLogits(1).ToArray());
    }

    [Fact]
    public void With_separate_streams_a_sequence_moved_to_another_stream_continues_while_its_old_stream_takes_a_new_one()
    {
        // What the engine's slot compaction does in one step: copy (whole stream, deferred to the next decode), free the
        // source, and admit a new sequence into the freed stream in the same batch as the moved one's next token.
        using var backend = TestBackends.Create(files.Tiny, o => o.UnifiedKvCache = false);
        Assert.True(backend.Metadata.SeparateKvStreams);
        var prompt = backend.Tokenizer.Tokenize("a sequence that moves", false, false);
        var newcomer = backend.Tokenizer.Tokenize("then a newcomer", false, false);
        Assert.Equal(DecodeStatus.Ok, backend.Prefill(prompt, 0));
        Assert.Equal(DecodeStatus.Ok, backend.Prefill(prompt, 2));

        backend.CopySequence(2, 1, prompt.Length);
        backend.RemoveSequence(2);
        var batch = new List<BatchToken>
        {
            new('x', prompt.Length, 0, true),
            new('x', prompt.Length, 1, true),
        };
        batch.AddRange(newcomer.Select((t, i) => new BatchToken(t, i, 2, i == newcomer.Length - 1)));
        Assert.Equal(DecodeStatus.Ok, backend.Decode(batch.ToArray()));
        var original = backend.GetLogits(0).ToArray();
        var moved = backend.GetLogits(1).ToArray();
        var admitted = backend.GetLogits(batch.Count - 1).ToArray();

        Assert.Equal(DecodeStatus.Ok, backend.Prefill(newcomer, 3));
        AssertClose(original, moved);
        AssertClose(backend.GetLogits(newcomer.Length - 1).ToArray(), admitted);
        Assert.True(MaxDifference(original, admitted) > 1e-3, "different sequences should give different logits");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_saved_sequence_state_restored_into_another_sequence_continues_like_the_original(bool unified)
    {
        // The prefix cache's host tier: save a sequence's cells, drop them, restore them into another slot later.
        using var backend = TestBackends.Create(files.Tiny, o => o.UnifiedKvCache = unified);
        var prompt = backend.Tokenizer.Tokenize("a conversation kept in host memory", false, false);
        Assert.Equal(DecodeStatus.Ok, backend.Prefill(prompt, 0));
        using var state = backend.SaveSequenceState(0);
        Assert.NotNull(state);
        Assert.Equal(DecodeStatus.Ok, backend.Decode([new BatchToken('x', prompt.Length, 0, true)]));
        var original = backend.GetLogits(0).ToArray();
        backend.RemoveSequence(0);

        Assert.True(backend.RestoreSequenceState(3, state));
        Assert.Equal(DecodeStatus.Ok, backend.Decode([new BatchToken('x', prompt.Length, 3, true)]));
        AssertClose(original, backend.GetLogits(0).ToArray());

        // Trimmed after the restore, as the engine does when only part of the saved prefix is shared.
        backend.RemoveSequence(3);
        Assert.True(backend.RestoreSequenceState(1, state));
        backend.RemoveSequence(1, fromPosition: 4);
        Assert.Equal(DecodeStatus.Ok, backend.Prefill(prompt[4..], 1, startPosition: 4));
        Assert.Equal(DecodeStatus.Ok, backend.Decode([new BatchToken('x', prompt.Length, 1, true)]));
        AssertClose(original, backend.GetLogits(0).ToArray());
    }

    [Fact]
    public void A_restore_that_does_not_fit_fails_and_leaves_the_sequence_empty()
    {
        using var backend = TestBackends.Create(files.Tiny, o => o.BatchSize = o.MicroBatchSize = 256);
        var contextSize = backend.Metadata.ContextSize;
        var prompt = backend.Tokenizer.Tokenize("saved while there was room", false, false);
        Assert.Equal(DecodeStatus.Ok, backend.Prefill(prompt, 0));
        using var state = backend.SaveSequenceState(0)!;
        backend.RemoveSequence(0);

        var filler = Enumerable.Range(0, contextSize - 2).Select(i => 'a' + i % 26).ToArray();
        for (var start = 0; start < filler.Length; start += backend.Metadata.BatchSize)
        {
            Assert.Equal(DecodeStatus.Ok, backend.Prefill(filler[start..Math.Min(filler.Length, start + backend.Metadata.BatchSize)], 0, start));
        }

        Assert.False(backend.RestoreSequenceState(1, state));
        backend.RemoveSequence(0);
        Assert.Equal(DecodeStatus.Ok, backend.Decode([new BatchToken('z', 0, 1, true)])); // sequence 1 starts empty
    }

    [Fact]
    public void A_state_saved_elsewhere_is_refused()
    {
        using var backend = TestBackends.Create(files.Tiny);
        Assert.Throws<ArgumentException>(() => backend.RestoreSequenceState(0, new ForeignState()));
    }

    private sealed class ForeignState : ISavedKvState
    {
        public long Bytes => 4;

        public void Dispose()
        {
        }
    }

    [Fact]
    public void Removing_a_sequence_frees_its_cells_so_a_full_context_can_be_reused()
    {
        using var backend = TestBackends.Create(files.Tiny, o => o.BatchSize = o.MicroBatchSize = 256);
        var contextSize = backend.Metadata.ContextSize;
        var filler = Enumerable.Range(0, contextSize).Select(i => 'a' + i % 26).ToArray();

        for (var start = 0; start < contextSize; start += backend.Metadata.BatchSize)
        {
            var chunk = filler[start..Math.Min(contextSize, start + backend.Metadata.BatchSize)];
            Assert.Equal(DecodeStatus.Ok, backend.Prefill(chunk, 0, start));
        }

        Assert.Equal(DecodeStatus.NoKvSlot, backend.Decode([new BatchToken('z', 0, 1, true)]));

        backend.RemoveSequence(0);

        Assert.Equal(DecodeStatus.Ok, backend.Decode([new BatchToken('z', 0, 1, true)]));
        Assert.Equal(TinyGguf.VocabSize, backend.GetLogits(0).Length);
    }

    [Fact]
    public void Removing_the_tail_of_a_sequence_allows_re_decoding_from_there()
    {
        using var backend = TestBackends.Create(files.Tiny);
        var tokens = backend.Tokenizer.Tokenize("rewind me", false, false);
        Assert.Equal(DecodeStatus.Ok, backend.Prefill(tokens, 0));
        var expected = backend.GetLogits(tokens.Length - 1).ToArray();

        backend.RemoveSequence(0, fromPosition: 3);
        Assert.Equal(DecodeStatus.Ok, backend.Prefill(tokens[3..], 0, startPosition: 3));

        AssertClose(expected, backend.GetLogits(tokens.Length - 4).ToArray());
    }

    [Fact]
    public void Asking_for_logits_of_an_entry_without_logits_throws()
    {
        using var backend = TestBackends.Create(files.Tiny);
        Assert.Equal(DecodeStatus.Ok, backend.Prefill(['a', 'b', 'c'], 0));

        Assert.ThrowsAny<Exception>(() => backend.GetLogits(0).ToArray());
    }

    [Fact]
    public void A_batch_larger_than_the_batch_size_is_refused()
    {
        using var backend = TestBackends.Create(files.Tiny, o => o.BatchSize = o.MicroBatchSize = 16);
        var tokens = Enumerable.Range(0, 17).Select(i => new BatchToken('a', i, 0, false)).ToArray();

        Assert.Throws<ArgumentException>(() => backend.Decode(tokens));
    }

    [Theory]
    [InlineData(0, DecodeStatus.Ok)]
    [InlineData(1, DecodeStatus.NoKvSlot)]
    [InlineData(2, DecodeStatus.Aborted)]
    [InlineData(-1, DecodeStatus.Failed)]
    [InlineData(-2, DecodeStatus.Failed)]
    [InlineData(-3, DecodeStatus.Failed)]
    [InlineData(7, DecodeStatus.Failed)]
    public void Native_decode_codes_map_to_statuses(int code, DecodeStatus expected)
        => Assert.Equal(expected, LlamaSharpBackend.MapDecodeResult(code));

    [Fact]
    public void Dispose_is_idempotent_and_later_calls_throw()
    {
        var backend = TestBackends.Create(files.Tiny);
        backend.Dispose();
        backend.Dispose();

        Assert.Throws<ObjectDisposedException>(() => backend.Decode([new BatchToken('a', 0, 0, true)]));
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var diff = MaxDifference(expected, actual);
        Assert.True(diff <= Tolerance, $"max |difference| {diff} > {Tolerance}");
    }

    private static float MaxDifference(float[] a, float[] b)
    {
        var max = 0f;
        for (var i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }
}
