using System.Text.Json;
using InferenceServer.TestKit;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests.RealEngine;

/// <summary>
/// Continuous batching: a request that arrives while long generations run joins the running batch at the next step
/// instead of waiting for them to finish. Order is recorded with a shared counter, not with wall-clock thresholds.
/// </summary>
public sealed class JoinMidFlightTests(TinyRandomEngineFactory factory) : IClassFixture<TinyRandomEngineFactory>
{
    private const int LongTokens = 400;
    private long _order;

    private sealed class StreamLog
    {
        public int ContentChunks;
        public long FirstContent = -1;
        public long Finish = -1;
        public string? FinishReason;
        public readonly TaskCompletionSource FewChunks = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private async Task RunStreamAsync(HttpClient client, string body, StreamLog log, int fewChunks)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(body) };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await foreach (var data in SseReader.ReadEventsAsync(await response.Content.ReadAsStreamAsync()))
        {
            var chunk = JsonDocument.Parse(data).RootElement;
            if (RealHttp.ContentOf(chunk) is not null)
            {
                var at = Interlocked.Increment(ref _order);
                if (log.ContentChunks++ == 0)
                {
                    log.FirstContent = at;
                }

                if (log.ContentChunks == fewChunks)
                {
                    log.FewChunks.TrySetResult();
                }
            }

            if (RealHttp.FinishOf(chunk) is { } finish)
            {
                log.Finish = Interlocked.Increment(ref _order);
                log.FinishReason = finish;
            }
        }

        log.FewChunks.TrySetResult();
    }

    [Fact]
    public async Task New_request_streams_its_first_token_before_running_long_generations_finish()
    {
        var client = await factory.ReadyClientAsync();
        var model = TinyRandomEngineFactory.TinyModelId;
        var longLogs = Enumerable.Range(0, 3).Select(_ => new StreamLog()).ToArray();
        var longRuns = longLogs.Select((log, i) => RunStreamAsync(
            client,
            RealHttp.ChatBody(model, $"Long story number {i}, please go on and on.", $"\"max_tokens\":{LongTokens},\"ignore_eos\":true,\"stream\":true"),
            log,
            fewChunks: 3)).ToArray();

        await Task.WhenAll(longLogs.Select(l => l.FewChunks.Task)).WaitAsync(TimeSpan.FromMinutes(1));
        var sentAt = Interlocked.Increment(ref _order);
        var late = new StreamLog();
        await RunStreamAsync(client, RealHttp.ChatBody(model, "Short one.", "\"max_tokens\":4,\"ignore_eos\":true,\"stream\":true"), late, fewChunks: 1);
        await Task.WhenAll(longRuns);

        Assert.All(longLogs, l =>
        {
            Assert.Equal("length", l.FinishReason);
            Assert.True(l.Finish > sentAt, $"a long stream finished (#{l.Finish}) before the new request was sent (#{sentAt}); the test proves nothing");
        });
        Assert.Equal("length", late.FinishReason);
        Assert.True(late.FirstContent > sentAt);
        Assert.All(longLogs, l => Assert.True(late.FirstContent < l.Finish, $"new first chunk #{late.FirstContent}, long finish #{l.Finish}"));
        Assert.All(longLogs, l => Assert.True(late.Finish < l.Finish, $"new finish #{late.Finish}, long finish #{l.Finish}"));
    }
}
