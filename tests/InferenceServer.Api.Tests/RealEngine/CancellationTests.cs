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
public sealed class CancellationTests(IsolatedTinyRandomEngineFactory factory) : IClassFixture<IsolatedTinyRandomEngineFactory>
{
    private const int LongTokens = 1900;
    private static readonly TimeSpan IdleWithin = TimeSpan.FromSeconds(10);

    private static string Model => TinyRandomEngineFactory.TinyModelId;

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
}
