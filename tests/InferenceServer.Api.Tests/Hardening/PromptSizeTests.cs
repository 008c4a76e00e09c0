using System.Net;
using System.Text;
using System.Text.Json;
using InferenceServer.Api.Tests.Infrastructure;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests.Hardening;

/// <summary>
/// Finding 1: a 20 MB prompt was tokenized whole before the context check (~35 s of CPU, memory never returned).
/// The fake model has a 256-token context and at most 3 bytes per token, so any text over 768 bytes cannot fit.
/// </summary>
public sealed class PromptSizeTests : IDisposable
{
    private readonly ApiFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private FakeTokenizer Tokenizer => (FakeTokenizer)_factory.Engine.Tokenizer;

    private static string Chat(string content) =>
        "{\"model\":\"tiny-test\",\"messages\":[{\"role\":\"user\",\"content\":" + JsonSerializer.Serialize(content) + "}]}";

    [Fact]
    public async Task A_text_that_cannot_fit_the_context_is_refused_without_tokenizing_it()
    {
        using var client = _factory.CreateClient();
        var (status, body, _) = await PostJsonAsync(client, "/v1/chat/completions", Chat(new string('x', 100_000)));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = AssertError(body, "invalid_request_error", "messages", "context_length_exceeded");
        Assert.Contains("256 tokens", error.GetProperty("message").GetString());
        Assert.Equal(0, Tokenizer.LongestTokenized);

        (status, body, _) = await PostJsonAsync(client, "/v1/completions", "{\"model\":\"tiny-test\",\"prompt\":[\"ok\"," + JsonSerializer.Serialize(new string('é', 400)) + "]}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(body, "invalid_request_error", "prompt", "context_length_exceeded");
        Assert.Equal(0, Tokenizer.LongestTokenized);
        Assert.Empty(_factory.Engine.Requests);
    }

    [Fact]
    public async Task A_text_that_might_fit_is_left_to_the_tokenizer()
    {
        using var client = _factory.CreateClient();
        // The fake template renders "user: {content}\nassistant:" (17 bytes around the content): 751 + 17 = 768 bytes,
        // exactly the bound, could be 256 tokens of 3 bytes: it must reach the tokenizer.
        await PostJsonAsync(client, "/v1/chat/completions", Chat(new string('x', 751)));
        Assert.Equal(768, Tokenizer.LongestTokenized);

        // One byte more cannot fit.
        var (status, body, _) = await PostJsonAsync(client, "/v1/chat/completions", Chat(new string('x', 752)));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(body, "invalid_request_error", "messages", "context_length_exceeded");
        Assert.Equal(768, Tokenizer.LongestTokenized);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_with_413_before_it_is_read()
    {
        await using var app = Security.SecuredApi.Create(_factory, new Dictionary<string, string?> { ["Limits:MaxRequestBodyBytes"] = "4096" });
        using var client = app.CreateClient();
        var (status, body, _) = await PostJsonAsync(client, "/v1/chat/completions", Chat(new string('x', 5000)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        AssertError(body, "invalid_request_error", null, "request_too_large");
        Assert.Equal(0, Tokenizer.LongestTokenized);

        // The default limit (4 MiB) holds a 20 MB prompt off too.
        using var byDefault = _factory.CreateClient();
        var huge = new ByteArrayContent(Encoding.UTF8.GetBytes(Chat(new string('x', 20_000_000))));
        huge.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await byDefault.PostAsync("/v1/chat/completions", huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }
}
