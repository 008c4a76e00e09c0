using System.Net;
using InferenceServer.Api.Tests.RealEngine;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests.Hardening;

/// <summary>
/// Finding 2: n between slots + queue + 1 and 128 got a 429 with Retry-After on an idle server (a retry that can never
/// succeed), and one such request filled the whole admission queue. n (choices of one prompt) is now bounded by what
/// the engine runs at once (4 sequences here), and n times the prompts by what it can hold (slots + queue 16), as a
/// 400 naming n.
/// </summary>
public sealed class ChoiceCountTests(IsolatedTinyRandomEngineFactory factory) : IClassFixture<IsolatedTinyRandomEngineFactory>
{
    private static string Chat(int n) => RealHttp.ChatBody(TinyRandomEngineFactory.TinyModelId, "hi", $"\"n\":{n},\"max_tokens\":2");

    [Theory]
    [InlineData(5)]
    [InlineData(21)]
    [InlineData(128)]
    public async Task More_choices_than_the_engine_runs_at_once_is_a_400_naming_n(int n)
    {
        using var client = await factory.ReadyClientAsync();
        var (status, body, response) = await PostJsonAsync(client, "/v1/chat/completions", Chat(n));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(body, "invalid_request_error", "n", null);
        Assert.False(response.Headers.Contains("Retry-After"));
        await factory.WaitForIdleSlotsAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Choices_times_prompts_count_for_completions_and_n_up_to_the_slots_works()
    {
        using var client = await factory.ReadyClientAsync();
        var prompts = string.Join(',', Enumerable.Range(0, 7).Select(i => $"\"p{i}\""));
        var (status, body, _) = await PostJsonAsync(client, "/v1/completions", $"{{\"model\":\"tiny-random\",\"prompt\":[{prompts}],\"n\":3,\"max_tokens\":2}}");
        Assert.Equal(HttpStatusCode.BadRequest, status); // 21 sequences > 4 slots + 16 queue
        AssertError(body, "invalid_request_error", "n", null);

        (status, body, _) = await PostJsonAsync(client, "/v1/completions", "{\"model\":\"tiny-random\",\"prompt\":[\"a\",\"b\"],\"n\":3,\"max_tokens\":2}");
        Assert.Equal(HttpStatusCode.OK, status); // 6 sequences: more than the slots, but the prompts queue
        Assert.Equal(6, body.GetProperty("choices").GetArrayLength());

        (status, body, _) = await PostJsonAsync(client, "/v1/chat/completions", Chat(4));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(4, body.GetProperty("choices").GetArrayLength());
    }
}
