using System.Net;
using System.Text.Json;
using InferenceServer.Api.Tests.Infrastructure;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests;

public sealed class OtherEndpointsTests : IDisposable
{
    private readonly ApiFactory _factory = new();
    private readonly HttpClient _client;

    public OtherEndpointsTests() => _client = _factory.CreateClient();

    public void Dispose() => _factory.Dispose();

    private async Task<(HttpStatusCode, JsonElement, HttpResponseMessage)> GetAsync(string path)
    {
        var response = await _client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    [Fact]
    public async Task Models_list()
    {
        var (status, body, _) = await GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("list", body.GetProperty("object").GetString());
        var data = body.GetProperty("data").EnumerateArray().ToList();
        var model = data[0];
        Assert.Equal("tiny-test", model.GetProperty("id").GetString());
        Assert.Equal("model", model.GetProperty("object").GetString());
        Assert.Equal(FakeInferenceEngine.ModelCreated, model.GetProperty("created").GetInt64());
        Assert.Equal("inferenceserver", model.GetProperty("owned_by").GetString());

        // The configured prompt templates follow as models of their own, in name order.
        Assert.Equal(["few-shot-arithmetic", "in-context-qa", "zero-shot"], data.Skip(1).Select(m => m.GetProperty("id").GetString()));
        Assert.All(data.Skip(1), m => Assert.Equal("prompt-template", m.GetProperty("owned_by").GetString()));
        Assert.All(data.Skip(1), m => Assert.Equal("model", m.GetProperty("object").GetString()));
    }

    [Theory]
    [InlineData("tiny-test")]
    [InlineData("tiny-alias")]
    public async Task Model_by_id(string id)
    {
        var (status, body, _) = await GetAsync("/v1/models/" + id);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(id, body.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Unknown_model_by_id_is_404()
    {
        var (status, body, _) = await GetAsync("/v1/models/org/other");
        Assert.Equal(HttpStatusCode.NotFound, status);
        AssertError(body, "invalid_request_error", "model", "model_not_found");
    }

    [Fact]
    public async Task Models_while_loading_is_503()
    {
        _factory.Engine.IsReady = false;
        var (status, body, response) = await GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.True(response.Headers.Contains("Retry-After"));
        AssertError(body, "unavailable_error", null, "model_not_ready");
    }

    [Fact]
    public async Task Unknown_route_is_openai_404()
    {
        var (status, body, _) = await GetAsync("/v1/nothing");
        Assert.Equal(HttpStatusCode.NotFound, status);
        var error = AssertError(body, "invalid_request_error", null, "unknown_url");
        Assert.Equal("Invalid URL (GET /v1/nothing)", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Wrong_method_is_openai_405()
    {
        var (status, body, _) = await GetAsync("/v1/chat/completions");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, status);
        AssertError(body, "invalid_request_error", null, "method_not_allowed");
    }

    [Fact]
    public async Task Request_id_is_echoed_or_generated()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Add("x-request-id", "abc-123");
        var echoed = await _client.SendAsync(request);
        Assert.Equal("abc-123", echoed.Headers.GetValues("x-request-id").Single());
        var generated = await _client.GetAsync("/v1/models");
        Assert.StartsWith("req_", generated.Headers.GetValues("x-request-id").Single());
    }

    [Fact]
    public async Task Tokenize_and_detokenize()
    {
        var (status, body, _) = await PostJsonAsync(_client, "/tokenize", "{\"content\":\"Hi\"}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([72, 105], body.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()));

        var (_, pieces, _) = await PostJsonAsync(_client, "/tokenize", "{\"content\":\"Hi\",\"with_pieces\":true}");
        Assert.Equal("H", pieces.GetProperty("tokens")[0].GetProperty("piece").GetString());
        Assert.Equal(72, pieces.GetProperty("tokens")[0].GetProperty("id").GetInt32());

        var (_, detok, _) = await PostJsonAsync(_client, "/detokenize", "{\"tokens\":[72,105]}");
        Assert.Equal("Hi", detok.GetProperty("content").GetString());
    }

    [Fact]
    public async Task Tokenize_errors()
    {
        var (status, body, _) = await PostJsonAsync(_client, "/tokenize", "{}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(body, "invalid_request_error", "content", "missing_required_parameter");
        var (badStatus, _, _) = await PostJsonAsync(_client, "/detokenize", "{\"tokens\":[-1]}");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
    }

    [Fact]
    public async Task Prompt_templates_are_listed_from_configuration()
    {
        var (status, body, _) = await GetAsync("/v1/prompt_templates");
        Assert.Equal(HttpStatusCode.OK, status);
        var names = body.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.Equal(["few-shot-arithmetic", "in-context-qa", "zero-shot"], names);
        var fewShot = body.GetProperty("data")[0];
        Assert.Equal(3, fewShot.GetProperty("examples").GetArrayLength());
        Assert.Contains("{input}", fewShot.GetProperty("user_template").GetString());
    }
}
