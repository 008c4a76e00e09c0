using System.Net;
using InferenceServer.Api.Tests.RealEngine;
using InferenceServer.TestKit;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests.Hardening;

/// <summary>The real engine with a small per-sequence output buffer (32 updates) and no practical write timeout.</summary>
public sealed class SmallOutputBufferFactory : RealEngineFactory
{
    public SmallOutputBufferFactory()
        : base(new RealEngineSettings(TestModels.TinyRandom, TinyRandomEngineFactory.TinyModelId, ContextSize: 2048, MaxSequences: 2, QueueCapacity: 4))
    {
    }

    protected override IReadOnlyDictionary<string, string?> MoreSettings { get; } = new Dictionary<string, string?>
    {
        ["Engine:OutputBufferUpdates"] = "32",
        ["Limits:StalledClientTimeoutSeconds"] = "600",
    };
}

/// <summary>The real engine with the default output buffer and a 1-second stalled-client timeout.</summary>
public sealed class ShortStallTimeoutFactory : RealEngineFactory
{
    public ShortStallTimeoutFactory()
        : base(new RealEngineSettings(TestModels.TinyRandom, TinyRandomEngineFactory.TinyModelId, ContextSize: 2048, MaxSequences: 2, QueueCapacity: 4))
    {
    }

    protected override IReadOnlyDictionary<string, string?> MoreSettings { get; } = new Dictionary<string, string?>
    {
        ["Limits:StalledClientTimeoutSeconds"] = "1",
    };
}

/// <summary>
/// Finding 6: a stream whose client stopped reading made the server buffer the whole output. The in-process test
/// server's response pipe pauses the writer at 64 KiB (about 350 chunks), like a full socket would.
/// </summary>
public sealed class StalledClientTests
{
    private const int MaxTokens = 1900;
    private static readonly string Body = RealHttp.ChatBody(TinyRandomEngineFactory.TinyModelId, "hi",
        $"\"max_tokens\":{MaxTokens},\"ignore_eos\":true,\"stream\":true");

    private static async Task<HttpResponseMessage> StartAndStopReadingAsync(HttpClient client)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(Body) };
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }

    [Fact]
    public async Task A_client_that_stops_reading_loses_its_sequence_when_the_output_buffer_fills()
    {
        await using var factory = new SmallOutputBufferFactory();
        using var client = await factory.ReadyClientAsync();
        var before = factory.Engine.GetSnapshot().TokensGenerated;
        using var response = await StartAndStopReadingAsync(client);

        await factory.WaitForIdleSlotsAsync(TimeSpan.FromSeconds(60));
        var generated = factory.Engine.GetSnapshot().TokensGenerated - before;
        Assert.True(generated < MaxTokens, $"the sequence ran to the end ({generated} tokens) although nobody read it");
    }

    [Fact]
    public async Task A_client_that_stops_reading_past_the_timeout_is_disconnected()
    {
        await using var factory = new ShortStallTimeoutFactory();
        using var client = await factory.ReadyClientAsync();
        using var response = await StartAndStopReadingAsync(client);
        await Task.Delay(TimeSpan.FromSeconds(4));
        await factory.WaitForIdleSlotsAsync(TimeSpan.FromSeconds(60));

        // Reading again: the server gave up on this stream, so it never ends with [DONE].
        string text;
        try
        {
            text = await response.Content.ReadAsStringAsync();
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            text = "";
        }

        Assert.DoesNotContain("data: [DONE]", text);
    }
}
