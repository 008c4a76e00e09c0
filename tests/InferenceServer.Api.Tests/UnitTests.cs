using System.Runtime.CompilerServices;
using InferenceServer.Api.Streaming;
using InferenceServer.Api.Tests.Infrastructure;
using InferenceServer.Core.Generation;
using InferenceServer.Core.Templates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace InferenceServer.Api.Tests;

public class UpdateMergerTests
{
    private static async IAsyncEnumerable<GenerationUpdate> Source(string[] pieces, Exception? fail = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var piece in pieces)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return new GenerationUpdate { Text = piece };
        }

        if (fail is not null)
        {
            throw fail;
        }

        yield return new GenerationUpdate { FinishReason = FinishReason.Stop };
    }

    [Fact]
    public async Task Merges_every_update_keeping_per_choice_order()
    {
        var seen = new List<IndexedUpdate>();
        await foreach (var item in UpdateMerger.MergeAsync([Source(["a", "b"]), Source(["c", "d", "e"])], CancellationToken.None))
        {
            seen.Add(item);
        }

        Assert.Equal("ab", string.Concat(seen.Where(s => s.Index == 0).Select(s => s.Update.Text)));
        Assert.Equal("cde", string.Concat(seen.Where(s => s.Index == 1).Select(s => s.Update.Text)));
        Assert.Equal(2, seen.Count(s => s.Update.IsFinal));
    }

    [Fact]
    public async Task A_failing_choice_fails_the_merge()
    {
        var boom = new InvalidOperationException("boom");
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var _ in UpdateMerger.MergeAsync([Source(["a"]), Source(["b"], boom)], CancellationToken.None))
            {
            }
        });
        Assert.Same(boom, ex);
    }
}

public class PromptTemplateTests
{
    private static readonly PromptTemplate FewShot = new()
    {
        SystemPrompt = "sys",
        Examples = [new PromptExample { User = "1", Assistant = "one" }],
        UserTemplate = "In: {input} ({context})",
    };

    [Fact]
    public void Chat_keeps_request_system_and_wraps_only_last_user()
    {
        var result = PromptTemplateRenderer.ApplyToChat(CompiledPromptTemplate.Compile("few", FewShot), [new ChatMessage("system", "mine"), new ChatMessage("user", "a"), new ChatMessage("assistant", "b"), new ChatMessage("user", "c")], "ctx");
        Assert.Equal(
            [new ChatMessage("system", "mine"), new ChatMessage("user", "In: 1 (ctx)"), new ChatMessage("assistant", "one"), new ChatMessage("user", "a"), new ChatMessage("assistant", "b"), new ChatMessage("user", "In: c (ctx)")],
            result);
    }

    [Fact]
    public void Text_prompt_layout()
    {
        Assert.Equal("sys\n\nIn: 1 ()\none\n\nIn: q ()", PromptTemplateRenderer.ApplyToText(CompiledPromptTemplate.Compile("few", FewShot), "q", null));
    }

    [Fact]
    public void Template_without_input_placeholder_stops_startup()
    {
        using var factory = new ApiFactory().WithWebHostBuilder(b => b.ConfigureAppConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PromptTemplates:broken:UserTemplate"] = "no placeholder",
        })));
        // The startup guard refuses to start the host; the one-line message naming the key is asserted on the
        // real process in Startup/StartupFailureTests.
        var ex = Assert.Throws<InvalidOperationException>(() => factory.CreateClient());
        Assert.Contains("has not been started", ex.Message);
    }
}
