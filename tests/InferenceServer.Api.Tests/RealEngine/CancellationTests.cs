using InferenceServer.Core.Engine;
using System.Text.Json;
using InferenceServer.TestKit;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests.RealEngine;

/// <summary>
/// A client that goes away mid-generation frees its sequence: the engine snapshot returns to no running sequence and
/// all slots idle (bounded wait), the sequence generated fewer tokens than it asked for (so it was cut, not finished),
/// and the next request gets the right output.
/// </summary>
public sealed class CancellationTests(IsolatedSlowRandomEngineFactory factory) : IClassFixture<IsolatedSlowRandomEngineFactory>
{
    private const int LongTokens = 1900;
    private static readonly TimeSpan IdleWithin = TimeSpan.FromSeconds(10);

    private static string Model => IsolatedSlowRandomEngineFactory.SlowModelId;

    private static string LongBody(string extra = "") =>
        RealHttp.ChatBody(Model, "Go on forever.", $"\"max_tokens\":{LongTokens},\"ignore_eos\":true" + extra);

    private static string CheckBody => RealHttp.ChatBody(Model, "Check after cancel.", "\"max_tokens\":16,\"ignore_eos\":true");

    [Fact]
    public async Task Streaming_request_cancelled_mid_stream_frees_its_sequence()
    {
        var client = await factory.ReadyClientAsync();
        var expected = await RealHttp.ChatAsync(client, CheckBody);
        await factory.WaitForIdleSlotsAsync(IdleWithin);
        var generatedBefore = factory.Engine.GetSnapshot().TokensGenerated;

        using (var cts = new CancellationTokenSource())
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(LongBody(",\"stream\":true")) };
            var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            var chunks = 0;
            await foreach (var data in SseReader.ReadEventsAsync(await response.Content.ReadAsStreamAsync(cts.Token), cts.Token))
            {
                if (RealHttp.ContentOf(JsonDocument.Parse(data).RootElement) is not null && ++chunks == 5)
                {
                    break;
                }
            }

            Assert.Equal(5, chunks);
            await cts.CancelAsync();
            response.Dispose();
        }

        var idle = await factory.WaitForIdleSlotsAsync(IdleWithin);
        Assert.True(idle.TokensGenerated - generatedBefore < LongTokens, $"the cancelled stream ran to the end ({idle.TokensGenerated - generatedBefore} tokens)");
        Assert.Equal(expected, await RealHttp.ChatAsync(client, CheckBody));
    }

    [Fact]
    public async Task Non_streaming_request_cancelled_mid_generation_frees_its_sequence()
    {
        var client = await factory.ReadyClientAsync();
        var expected = await RealHttp.ChatAsync(client, CheckBody);
        await factory.WaitForIdleSlotsAsync(IdleWithin);
        var generatedBefore = factory.Engine.GetSnapshot().TokensGenerated;

        using (var cts = new CancellationTokenSource())
        {
            var pending = client.PostAsync("/v1/chat/completions", Json(LongBody()), cts.Token);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!factory.Engine.GetSnapshot().Slots.Any(s => s.State == SlotState.Generating && s.GeneratedTokens >= 5))
            {
                Assert.False(pending.IsCompleted, "the request completed before it could be cancelled");
                Assert.True(DateTime.UtcNow < deadline, "the request never started generating");
                await Task.Delay(5);
            }

            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        }

        var idle = await factory.WaitForIdleSlotsAsync(IdleWithin);
        Assert.True(idle.TokensGenerated - generatedBefore < LongTokens, $"the cancelled request ran to the end ({idle.TokensGenerated - generatedBefore} tokens)");
        Assert.Equal(expected, await RealHttp.ChatAsync(client, CheckBody));
    }

    [Fact]
    public async Task Request_cancelled_while_waiting_in_the_queue_never_runs()
    {
        const int Busy = 480;
        var client = await factory.ReadyClientAsync();
        var expected = await RealHttp.ChatAsync(client, CheckBody);
        await factory.WaitForIdleSlotsAsync(IdleWithin);
        var before = factory.Engine.GetSnapshot();
        Assert.Equal(4, before.MaxSequences);

        // Fill every slot, then queue a fifth request and cancel it before a slot frees up.
        var busy = Enumerable.Range(0, before.MaxSequences)
            .Select(i => RealHttp.StreamChatAsync(client, RealHttp.ChatBody(Model, $"Busy {i}.", $"\"max_tokens\":{Busy},\"ignore_eos\":true")))
            .ToArray();
        await PollAsync(s => s.Running == before.MaxSequences, "all slots busy");

        using (var cts = new CancellationTokenSource())
        {
            var queued = client.PostAsync("/v1/chat/completions", Json(LongBody()), cts.Token);
            await PollAsync(s => s.Waiting == 1, "the fifth request waiting");
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        }

        var results = await Task.WhenAll(busy);
        Assert.All(results, r => Assert.Equal(("length", (int?)Busy), (r.FinishReason, r.CompletionTokens)));
        var idle = await factory.WaitForIdleSlotsAsync(IdleWithin);

        // Only the four busy sequences generated: the cancelled one was dropped from the queue, never admitted.
        Assert.Equal(before.MaxSequences * Busy, idle.TokensGenerated - before.TokensGenerated);
        Assert.Equal(expected, await RealHttp.ChatAsync(client, CheckBody));
    }

    private async Task PollAsync(Func<EngineSnapshot, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition(factory.Engine.GetSnapshot()))
        {
            Assert.True(DateTime.UtcNow < deadline, $"never saw {what}: {factory.Engine.GetSnapshot()}");
            await Task.Delay(2);
        }
    }
}
