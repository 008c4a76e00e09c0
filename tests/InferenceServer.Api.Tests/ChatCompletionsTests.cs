using System.Text;
using System.Net;
using System.Text.Json;
using InferenceServer.Api.Tests.Infrastructure;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;
using InferenceServer.TestKit;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests;

public sealed class ChatCompletionsTests : IDisposable
{
    private const string Path = "/v1/chat/completions";
    private const string Hi = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    private readonly ApiFactory _factory = new();
    private readonly HttpClient _client;

    public ChatCompletionsTests() => _client = _factory.CreateClient();

    public void Dispose() => _factory.Dispose();

    private static string Body(string extra = "") => "{\"model\":\"tiny-test\"," + Hi + (extra.Length > 0 ? "," + extra : "") + "}";

    [Fact]
    public async Task Non_streaming_returns_a_chat_completion()
    {
        var (status, body, response) = await PostJsonAsync(_client, Path, Body("\"max_tokens\":5"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/json", ContentType(response)!.MediaType);
        Assert.StartsWith("chatcmpl-", body.GetProperty("id").GetString());
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        Assert.Equal(ApiFactory.Now, body.GetProperty("created").GetInt64());
        Assert.Equal("tiny-test", body.GetProperty("model").GetString());
        var choice = body.GetProperty("choices")[0];
        Assert.Equal("Hello world", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind);
        var usage = body.GetProperty("usage");
        Assert.Equal(2, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal("user: hi\nassistant:".Length, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.True(response.Headers.Contains("x-request-id"));

        var request = Assert.Single(_factory.Engine.Requests);
        Assert.Equal(5, request.MaxTokens);
        Assert.Equal(1f, request.Sampling.Temperature);
        Assert.Equal(body.GetProperty("id").GetString(), request.RequestId);
    }

    [Fact]
    public async Task Streaming_sends_role_deltas_finish_then_done()
    {
        var response = await _client.PostAsync(Path, Json(Body("\"stream\":true")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", ContentType(response)!.MediaType);
        var sse = (await SseReader.ReadAllAsync(await response.Content.ReadAsStreamAsync())).EnsureWellFormed();
        var chunks = sse.Data.Select(d => JsonDocument.Parse(d).RootElement).ToList();
        Assert.Equal(4, chunks.Count);
        Assert.All(chunks, c =>
        {
            Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString());
            Assert.False(c.TryGetProperty("usage", out _));
            Assert.Equal(chunks[0].GetProperty("id").GetString(), c.GetProperty("id").GetString());
            Assert.Equal(JsonValueKind.Null, c.GetProperty("choices")[0].GetProperty("logprobs").ValueKind);
        });
        var deltas = chunks.Select(c => c.GetProperty("choices")[0].GetProperty("delta")).ToList();
        Assert.Equal("assistant", deltas[0].GetProperty("role").GetString());
        Assert.Equal("", deltas[0].GetProperty("content").GetString());
        Assert.Equal("Hello", deltas[1].GetProperty("content").GetString());
        Assert.False(deltas[1].TryGetProperty("role", out _));
        Assert.Equal(" world", deltas[2].GetProperty("content").GetString());
        Assert.Empty(deltas[3].EnumerateObject());
        Assert.Equal([null, null, null, "stop"], chunks.Select(c => c.GetProperty("choices")[0].GetProperty("finish_reason").GetString()));
    }

    [Fact]
    public async Task Streaming_with_include_usage_ends_with_usage_chunk()
    {
        var response = await _client.PostAsync(Path, Json(Body("\"stream\":true,\"stream_options\":{\"include_usage\":true},\"n\":2")));
        var sse = (await SseReader.ReadAllAsync(await response.Content.ReadAsStreamAsync())).EnsureWellFormed();
        var chunks = sse.Data.Select(d => JsonDocument.Parse(d).RootElement).ToList();
        Assert.Equal(2 * 4 + 1, chunks.Count);
        Assert.All(chunks.SkipLast(1), c => Assert.Equal(JsonValueKind.Null, c.GetProperty("usage").ValueKind));
        var last = chunks[^1];
        Assert.Equal(0, last.GetProperty("choices").GetArrayLength());
        Assert.Equal(4, last.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal("user: hi\nassistant:".Length, last.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        foreach (var index in new[] { 0, 1 })
        {
            var mine = chunks.SkipLast(1).Select(c => c.GetProperty("choices")[0]).Where(c => c.GetProperty("index").GetInt32() == index).ToList();
            Assert.Equal("assistant", mine[0].GetProperty("delta").GetProperty("role").GetString());
            Assert.Equal("Hello world", string.Concat(mine.Select(c => c.GetProperty("delta").TryGetProperty("content", out var t) ? t.GetString() : "")));
            Assert.Equal("stop", mine[^1].GetProperty("finish_reason").GetString());
        }
    }

    [Fact]
    public async Task N_choices_with_seed_use_seed_plus_index()
    {
        var (status, body, _) = await PostJsonAsync(_client, Path, Body("\"n\":3,\"seed\":10"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([0, 1, 2], body.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("index").GetInt32()));
        Assert.Equal(6, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal([10u, 11u, 12u], _factory.Engine.Requests.Select(r => r.Sampling.Seed!.Value).Order());
    }

    [Fact]
    public async Task Logprobs_are_mapped()
    {
        var (_, body, _) = await PostJsonAsync(_client, Path, Body("\"logprobs\":true,\"top_logprobs\":2"));
        var content = body.GetProperty("choices")[0].GetProperty("logprobs").GetProperty("content");
        Assert.Equal(["Hello", " world"], content.EnumerateArray().Select(t => t.GetProperty("token").GetString()));
        Assert.Equal(2, content[0].GetProperty("top_logprobs").GetArrayLength());
        Assert.Equal(-0.25, content[0].GetProperty("logprob").GetDouble());
    }

    [Fact]
    public async Task Length_finish_reason()
    {
        _factory.Engine.Finish = FinishReason.Length;
        var (_, body, _) = await PostJsonAsync(_client, Path, Body());
        Assert.Equal("length", body.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Malformed_json_is_400()
    {
        var (status, body, _) = await PostJsonAsync(_client, Path, "{\"model\": ");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = AssertError(body, "invalid_request_error", null, "invalid_json");
        Assert.Contains("could not parse the JSON body", error.GetProperty("message").GetString());
    }

    /// <summary>Invalid UTF-8 inside a field kept as raw JSON (tool_choice, a schema) is the client's fault, not a 500
    /// when the field is read later (found by the request fuzzer).</summary>
    [Theory]
    [InlineData("\"tool_choice\":\"xx\u00FF\"")]
    [InlineData("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{\"enum\":[\"\u00FF\"]}}}")]
    [InlineData("\"messages\":[{\"role\":\"user\",\"content\":\"\u00FF\"}]")]
    public async Task Invalid_utf8_anywhere_in_the_body_is_400(string field)
    {
        // \u00FF stands for a raw 0xFF byte: never valid in UTF-8.
        var bytes = Encoding.UTF8.GetBytes(Body(field)).SelectMany(b => b == 0xC3 ? [] : new[] { b }).Select(b => b == 0xBF ? (byte)0xFF : b).ToArray();
        Assert.Contains((byte)0xFF, bytes);
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var response = await _client.PostAsync(Path, content);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = AssertError(body, "invalid_request_error", null, "invalid_json");
        Assert.Contains("UTF-8", error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("\"temperature\":\"hot\"", "temperature")]
    [InlineData("\"n\":1.5", "n")]
    [InlineData("\"stream\":\"yes\"", "stream")]
    [InlineData("\"stop\":5", "stop")]
    public async Task Wrong_types_are_400_with_param(string extra, string param)
    {
        var (status, body, _) = await PostJsonAsync(_client, Path, Body(extra));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = AssertError(body, "invalid_request_error", param, "invalid_type");
        Assert.Contains($"Invalid type for '{param}'", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Wrong_content_type_is_415()
    {
        var response = await _client.PostAsync(Path, new StringContent(Body(), System.Text.Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        AssertError(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement, "invalid_request_error", null, "unsupported_media_type");
    }

    [Theory]
    [InlineData("{" + Hi + "}", "model")]
    [InlineData("{\"model\":\"tiny-test\"}", "messages")]
    [InlineData("{\"model\":\"tiny-test\"," + Hi + ",\"temperature\":2.1}", "temperature")]
    [InlineData("{\"model\":\"tiny-test\"," + Hi + ",\"top_p\":-1}", "top_p")]
    [InlineData("{\"model\":\"tiny-test\"," + Hi + ",\"max_tokens\":0}", "max_tokens")]
    [InlineData("{\"model\":\"tiny-test\"," + Hi + ",\"logit_bias\":{\"70000\":1}}", "logit_bias")]
    [InlineData("{\"model\":\"tiny-test\"," + Hi + ",\"prompt_template\":\"nope\"}", "prompt_template")]
    [InlineData("{\"model\":\"tiny-test\"," + Hi + ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"g\"}}}", "tool_choice")]
    [InlineData("{\"model\":\"tiny-test\"," + Hi + ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\",\"not\":{}}}}]}", "tools[0].function.parameters")]
    public async Task Invalid_requests_are_400_with_param(string json, string param)
    {
        var (status, body, _) = await PostJsonAsync(_client, Path, json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(param, body.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal("invalid_request_error", body.GetProperty("error").GetProperty("type").GetString());
        Assert.Empty(_factory.Engine.Requests);
        var outcome = Assert.Single(_factory.Metrics.Outcomes);
        Assert.Equal("invalid_request_error", outcome.ErrorType);
    }

    [Fact]
    public async Task Unknown_model_is_404_and_alias_is_accepted()
    {
        var (status, body, _) = await PostJsonAsync(_client, Path, "{\"model\":\"gpt-9\"," + Hi + "}");
        Assert.Equal(HttpStatusCode.NotFound, status);
        AssertError(body, "invalid_request_error", "model", "model_not_found");

        var (aliasStatus, aliasBody, _) = await PostJsonAsync(_client, Path, "{\"model\":\"tiny-alias\"," + Hi + "}");
        Assert.Equal(HttpStatusCode.OK, aliasStatus);
        Assert.Equal("tiny-test", aliasBody.GetProperty("model").GetString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Queue_full_is_429_with_retry_after_even_when_streaming(bool stream)
    {
        _factory.Engine.ThrowOnGenerate = new InferenceException(InferenceErrorKind.QueueFull, "Too many requests queued.");
        var (status, body, response) = await PostJsonAsync(_client, Path, Body(stream ? "\"stream\":true" : ""));
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal("application/json", ContentType(response)!.MediaType);
        Assert.Equal("3", response.Headers.GetValues("Retry-After").Single());
        AssertError(body, "rate_limit_error", null, "rate_limit_exceeded");
    }

    [Fact]
    public async Task Model_not_ready_is_503_with_retry_after()
    {
        _factory.Engine.IsReady = false;
        var (status, body, response) = await PostJsonAsync(_client, Path, Body());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("3", response.Headers.GetValues("Retry-After").Single());
        AssertError(body, "unavailable_error", null, "model_not_ready");
    }

    [Fact]
    public async Task Shutting_down_is_503()
    {
        _factory.Engine.ThrowOnGenerate = new InferenceException(InferenceErrorKind.ShuttingDown, "Server is shutting down.");
        var (status, body, response) = await PostJsonAsync(_client, Path, Body("\"stream\":true"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.True(response.Headers.Contains("Retry-After"));
        AssertError(body, "unavailable_error", null, "server_shutting_down");
    }

    [Fact]
    public async Task Context_length_exceeded_is_400_with_code()
    {
        _factory.Engine.ThrowOnGenerate = InferenceException.ContextLength(300, 10, 256);
        var (status, body, _) = await PostJsonAsync(_client, Path, Body("\"stream\":true"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(body, "invalid_request_error", "messages", "context_length_exceeded");
    }

    [Fact]
    public async Task Unexpected_exception_is_generic_500_without_details()
    {
        _factory.Engine.ThrowOnGenerate = new InvalidOperationException("secret internal detail");
        var (status, body, response) = await PostJsonAsync(_client, Path, Body());
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        var error = AssertError(body, "server_error", null, null);
        Assert.DoesNotContain("secret", error.GetProperty("message").GetString());
        Assert.DoesNotContain("   at ", body.ToString());
        Assert.Equal("false", response.Headers.GetValues("x-should-retry").Single());
    }

    [Fact]
    public async Task Mid_stream_failure_sends_error_event_then_done()
    {
        _factory.Engine.FailAfterFirst = new InvalidOperationException("decode exploded");
        var response = await _client.PostAsync(Path, Json(Body("\"stream\":true")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sse = (await SseReader.ReadAllAsync(await response.Content.ReadAsStreamAsync())).EnsureWellFormed();
        var last = JsonDocument.Parse(sse.Data[^1]).RootElement;
        var error = AssertError(last, "server_error", null, null);
        Assert.DoesNotContain("exploded", error.GetProperty("message").GetString());
        Assert.Equal("Hello", JsonDocument.Parse(sse.Data[1]).RootElement.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString());
        Assert.All(sse.Data.SkipLast(1), d => Assert.DoesNotContain("\"error\"", d));
        Assert.Equal("server_error", Assert.Single(_factory.Metrics.Outcomes).ErrorType);
    }

    [Fact]
    public async Task Client_abort_cancels_the_engine_stream()
    {
        _factory.Engine.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = Json(Body("\"stream\":true")) };
        var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync();
        var reader = new StreamReader(stream);
        var received = "";
        while (!received.Contains("Hello", StringComparison.Ordinal))
        {
            received += await reader.ReadLineAsync() + "\n";
        }

        // The engine now waits on the gate; the client goes away.
        response.Dispose();
        await _factory.Engine.CancellationObserved.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Non_streaming_client_abort_cancels_the_engine()
    {
        _factory.Engine.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cts = new CancellationTokenSource();
        var pending = _client.PostAsync(Path, Json(Body()), cts.Token);
        while (_factory.Engine.Requests.IsEmpty)
        {
            await Task.Delay(10);
        }

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        await _factory.Engine.CancellationObserved.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Prompt_template_wraps_the_last_user_message()
    {
        var (status, _, _) = await PostJsonAsync(_client, Path, "{\"model\":\"tiny-test\",\"messages\":[{\"role\":\"user\",\"content\":\"2 + 2\"}],\"prompt_template\":\"few-shot-arithmetic\"}");
        Assert.Equal(HttpStatusCode.OK, status);
        var messages = _factory.Engine.Template.LastMessages!;
        Assert.Equal("system", messages[0].Role);
        Assert.Equal(new Core.Generation.ChatMessage("user", "Compute: 2 + 3"), messages[1]);
        Assert.Equal(new Core.Generation.ChatMessage("assistant", "5"), messages[2]);
        Assert.Equal(new Core.Generation.ChatMessage("user", "Compute: 2 + 2"), messages[^1]);
    }

    [Fact]
    public async Task In_context_template_uses_context_field()
    {
        await PostJsonAsync(_client, Path, "{\"model\":\"tiny-test\",\"messages\":[{\"role\":\"user\",\"content\":\"Who?\"}],\"prompt_template\":\"in-context-qa\",\"context\":\"Ada wrote it.\"}");
        Assert.Equal("Context:\nAda wrote it.\n\nQuestion: Who?\nAnswer:", _factory.Engine.Template.LastMessages![^1].Content);
    }

    [Fact]
    public async Task Unknown_fields_are_ignored_and_content_parts_concatenated()
    {
        var (status, _, _) = await PostJsonAsync(_client, Path, "{\"model\":\"tiny-test\",\"store\":true,\"metadata\":{\"x\":\"y\"},\"messages\":[{\"role\":\"developer\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"text\",\"text\":\"b\"}]}]}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("system: be brief\nuser: a\nb\nassistant:", _factory.Engine.Template.LastPrompt);
    }

    [Fact]
    public async Task Metrics_are_recorded_once_per_request()
    {
        await PostJsonAsync(_client, Path, Body("\"n\":2"));
        var outcome = Assert.Single(_factory.Metrics.Outcomes);
        Assert.Null(outcome.ErrorType);
        Assert.Equal(GenerationOperation.Chat, outcome.Operation);
        Assert.Equal("tiny-test", outcome.RequestedModel);
        Assert.Equal(4, outcome.Usage!.CompletionTokens);
        Assert.Equal(FinishReason.Stop, outcome.FinishReason);
        Assert.NotNull(outcome.Timings);
    }
}
