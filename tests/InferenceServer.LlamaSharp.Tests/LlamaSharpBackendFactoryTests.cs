using InferenceServer.Core.Engine;
using InferenceServer.Core.Errors;
using InferenceServer.LlamaSharp.Tests.Fixtures;
using Microsoft.Extensions.Logging;

namespace InferenceServer.LlamaSharp.Tests;

[Collection(ModelCollection.Name)]
public sealed class LlamaSharpBackendFactoryTests(ModelFiles files)
{
    [Fact]
    public void Metadata_describes_the_model_and_the_context()
    {
        using var backend = TestBackends.Create(files.Tiny, maxSequences: 3);
        var m = backend.Metadata;
        var file = new FileInfo(files.Tiny);

        Assert.Equal("tiny-chatml", m.Id);
        Assert.Equal("llama", m.Architecture);
        Assert.Equal(512, m.ContextSize);
        Assert.Equal(TinyGguf.TrainingContext, m.TrainingContextLength);
        Assert.Equal(512, m.BatchSize);
        Assert.Equal(3, m.MaxSequences);
        Assert.Equal(TinyGguf.VocabSize, m.VocabSize);
        Assert.Equal(TinyGguf.VocabSize, backend.Tokenizer.VocabSize);
        Assert.Equal(TinyGguf.Embedding, m.EmbeddingLength);
        Assert.Equal(ExpectedParameterCount(), m.ParameterCount);
        Assert.Equal(file.Length, m.SizeBytes);
        Assert.Equal(new DateTimeOffset(file.LastWriteTimeUtc).ToUnixTimeSeconds(), m.Created);
    }

    [Theory]
    [InlineData(TinyGguf.TrainingContext * 2, null, false)] // two slots of the whole training context: one stream each
    [InlineData(TinyGguf.TrainingContext, null, true)]      // two slots of half of it: the pool, so requests keep their reach
    [InlineData(TinyGguf.TrainingContext * 2, true, true)]  // an explicit setting wins
    [InlineData(TinyGguf.TrainingContext, false, false)]
    public void The_kv_layout_is_one_stream_per_slot_only_where_a_slot_holds_the_training_context(int contextSize, bool? configured, bool unified)
    {
        using var backend = TestBackends.Create(files.Tiny, o =>
        {
            o.ContextSize = contextSize;
            o.UnifiedKvCache = configured;
        }, maxSequences: 2);

        Assert.Equal(!unified, backend.Metadata.SeparateKvStreams);
        Assert.Equal(unified ? contextSize : contextSize / 2, backend.Metadata.SequenceContextSize);
    }

    [Fact]
    public void Configured_id_wins_and_context_size_zero_means_training_context()
    {
        using var backend = TestBackends.Create(files.Tiny, o =>
        {
            o.Id = "my-model";
            o.ContextSize = 0;
        });

        Assert.Equal("my-model", backend.Metadata.Id);
        Assert.Equal(TinyGguf.TrainingContext, backend.Metadata.ContextSize);
    }

    [Fact]
    public void Missing_file_gives_a_one_line_message_naming_the_path()
    {
        var path = Path.Combine(files.Directory, "does-not-exist.gguf");
        var factory = TestBackends.Factory(path);

        var ex = Assert.Throws<FileNotFoundException>(() => factory.Create(CancellationToken.None));

        Assert.Contains(path, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void A_file_without_the_gguf_magic_is_refused_before_native_code()
    {
        var factory = TestBackends.Factory(files.NotGguf);

        var ex = Assert.Throws<InferenceException>(() => factory.Create(CancellationToken.None));

        Assert.Contains(files.NotGguf, ex.Message);
        Assert.Contains("not a GGUF file", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void A_truncated_gguf_gives_a_clear_error_not_a_crash()
    {
        var factory = TestBackends.Factory(files.Truncated);

        var ex = Assert.Throws<InferenceException>(() => factory.Create(CancellationToken.None));

        Assert.Contains(files.Truncated, ex.Message);
        Assert.Contains("could not be loaded by llama.cpp", ex.Message);
        // llama.cpp's own reason (pinned native build), not its generic "failed to load model".
        Assert.Contains("not within the file bounds", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void A_directory_is_refused_with_a_clear_message()
    {
        var factory = TestBackends.Factory(files.Directory);

        var ex = Record.Exception(() => factory.Create(CancellationToken.None));

        Assert.NotNull(ex);
        Assert.True(ex is FileNotFoundException or InferenceException, ex.GetType().Name);
        Assert.Contains(files.Directory, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void Relative_paths_resolve_against_the_base_directory_first()
    {
        var name = $"relative-{Guid.NewGuid():N}.gguf";
        var underBase = Path.Combine(AppContext.BaseDirectory, name);
        File.Copy(files.Tiny, underBase);
        try
        {
            using var backend = TestBackends.Create(name);
            Assert.Equal(Path.GetFileNameWithoutExtension(name), backend.Metadata.Id);
        }
        finally
        {
            File.Delete(underBase);
        }
    }

    [Fact]
    public void Native_log_lines_reach_the_logger_with_event_ids()
    {
        var logs = new CapturingLoggerFactory();

        using (TestBackends.Create(files.Tiny, loggerFactory: logs))
        {
        }

        var native = logs.Entries.Where(e => e.Category == "InferenceServer.LlamaSharp.Native").ToList();
        Assert.NotEmpty(native);
        Assert.All(native, e => Assert.Contains(e.EventId.Id, new[] { 3002, 3003 }));
        Assert.All(native, e => Assert.True(e.Level is LogLevel.Debug or LogLevel.Warning));
        Assert.Contains(logs.Entries, e => e.EventId.Id == 3001 && e.Message.Contains("tiny-chatml"));
    }

    [Fact]
    public void The_context_is_warmed_up_and_left_empty_and_the_layout_choice_is_logged()
    {
        var logs = new CapturingLoggerFactory();
        using var backend = TestBackends.Create(files.Tiny, loggerFactory: logs);

        Assert.Contains(logs.Entries, e => e.EventId.Id == 3011 && e.Message.Contains("Ok"));
        Assert.Contains(logs.Entries, e => e.EventId.Id == 3010 && e.Message.Contains("one pool for all slots"));
        // Every cell is free again: the whole context fits in one sequence.
        var filler = Enumerable.Range(0, backend.Metadata.ContextSize).Select(i => 'a' + i % 26).ToArray();
        Assert.Equal(DecodeStatus.Ok, backend.Prefill(filler, 0));
    }

    [Fact]
    public void A_cancelled_load_throws_before_loading()
    {
        var factory = TestBackends.Factory(files.Tiny);
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => factory.Create(cts.Token));
    }

    private static long ExpectedParameterCount()
    {
        const int e = TinyGguf.Embedding, ff = TinyGguf.FeedForward;
        const int kv = e / TinyGguf.Heads * TinyGguf.KvHeads;
        var perLayer = 2 * e + 2 * e * e + 2 * e * kv + 3 * e * ff;
        return 2L * e * TinyGguf.VocabSize + e + TinyGguf.Layers * perLayer;
    }
}
