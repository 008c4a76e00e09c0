using System.Net;
using System.Text.Json;
using InferenceServer.Api.Tests.Infrastructure;
using InferenceServer.Core.Generation;
using InferenceServer.TestKit;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests;

public sealed class CompletionsTests : IDisposable
{
    private const string Path = "/v1/completions";
    private readonly ApiFactory _factory = new();
    private readonly HttpClient _client;

    public CompletionsTests() => _client = _factory.CreateClient();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Single_prompt_defaults_to_16_tokens()
    {
        var (status, body, _) = await PostJsonAsync(_client, Path, "{\"model\":\"tiny-test\",\"prompt\":\"Once\"}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("cmpl-", body.GetProperty("id").GetString());
        Assert.Equal("text_completion", body.GetProperty("object").GetString());
        var choice = body.GetProperty("choices")[0];
        Assert.Equal("Hello world", choice.GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind);
        Assert.Equal(4, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        var request = Assert.Single(_factory.Engine.Requests);
        Assert.Equal(16, request.MaxTokens);
        Assert.Equal(GenerationOperation.TextCompletion, request.Operation);
        Assert.Equal("Once".Select(c => (int)c), request.PromptTokens);
    }

    [Fact]
    public async Task Several_prompts_times_n_index_prompt_major()
    {
        var (_, body, _) = await PostJsonAsync(_client, Path, "{\"model\":\"tiny-test\",\"prompt\":[\"ab\",\"cde\"],\"n\":2,\"echo\":true}");
        var choices = body.GetProperty("choices").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2, 3], choices.Select(c => c.GetProperty("index").GetInt32()));
        Assert.Equal(["abHello world", "abHello world", "cdeHello world", "cdeHello world"], choices.Select(c => c.GetProperty("text").GetString()));
        var usage = body.GetProperty("usage");
        Assert.Equal(5, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(8, usage.GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Token_prompts_are_passed_through()
    {
        var (status, _, _) = await PostJsonAsync(_client, Path, "{\"model\":\"tiny-test\",\"prompt\":[[72,105],[33]],\"max_tokens\":3}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([[72, 105], [33]], _factory.Engine.Requests.Select(r => r.PromptTokens.ToArray()));
    }

    [Fact]
    public async Task Token_prompt_out_of_vocabulary_is_400()
    {
        var (status, body, _) = await PostJsonAsync(_client, Path, "{\"model\":\"tiny-test\",\"prompt\":[70000]}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(body, "invalid_request_error", "prompt", null);
    }

    [Fact]
    public async Task Logprobs_legacy_shape()
    {
        var (_, body, _) = await PostJsonAsync(_client, Path, "{\"model\":\"tiny-test\",\"prompt\":\"x\",\"logprobs\":2}");
        var lp = body.GetProperty("choices")[0].GetProperty("logprobs");
        Assert.Equal(["Hello", " world"], lp.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal([0, 5], lp.GetProperty("text_offset").EnumerateArray().Select(t => t.GetInt32()));
        Assert.Equal(2, lp.GetProperty("top_logprobs")[0].EnumerateObject().Count());
    }

    [Fact]
    public async Task Streaming_text_completion_with_usage()
    {
        var response = await _client.PostAsync(Path, Json("{\"model\":\"tiny-test\",\"prompt\":\"x\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}"));
        Assert.Equal("text/event-stream", ContentType(response)!.MediaType);
        var sse = (await SseReader.ReadAllAsync(await response.Content.ReadAsStreamAsync())).EnsureWellFormed();
        var chunks = sse.Data.Select(d => JsonDocument.Parse(d).RootElement).ToList();
        Assert.Equal(4, chunks.Count);
        Assert.All(chunks, c => Assert.Equal("text_completion", c.GetProperty("object").GetString()));
        Assert.Equal(["Hello", " world", ""], chunks.Take(3).Select(c => c.GetProperty("choices")[0].GetProperty("text").GetString()));
        Assert.Equal("stop", chunks[2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(JsonValueKind.Null, chunks[0].GetProperty("usage").ValueKind);
        Assert.Equal(0, chunks[3].GetProperty("choices").GetArrayLength());
        Assert.Equal(2, chunks[3].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Theory]
    [InlineData("{\"model\":\"tiny-test\"}", "prompt")]
    [InlineData("{\"model\":\"tiny-test\",\"prompt\":\"x\",\"echo\":true,\"stream\":true}", "echo")]
    [InlineData("{\"model\":\"tiny-test\",\"prompt\":\"x\",\"suffix\":\"y\"}", "suffix")]
    [InlineData("{\"model\":\"tiny-test\",\"prompt\":{}}", "prompt")]
    public async Task Invalid_requests_are_400(string json, string param)
    {
        var (status, body, _) = await PostJsonAsync(_client, Path, json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(param, body.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task Prompt_template_renders_text_prompt()
    {
        await PostJsonAsync(_client, Path, "{\"model\":\"tiny-test\",\"prompt\":\"1 + 1\",\"prompt_template\":\"few-shot-arithmetic\"}");
        var tokens = Assert.Single(_factory.Engine.Requests).PromptTokens;
        var text = _factory.Engine.Tokenizer.Detokenize(tokens);
        Assert.StartsWith("You solve arithmetic problems.", text);
        Assert.Contains("Compute: 2 + 3\n5", text);
        Assert.EndsWith("Compute: 1 + 1", text);
    }
}
