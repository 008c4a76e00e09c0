using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text.Json;
using InferenceServer.Api.Tests.Infrastructure;
using InferenceServer.TestKit;
using OpenAI;
using OpenAI.Chat;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests.RealEngine;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealEngineCollection : ICollectionFixture<RealEngineFactory>
{
    public const string Name = "real-engine";
}

/// <summary>End to end over the real engine and the scripted model (greedy output is <see cref="TestModels.ScriptText"/>).</summary>
[Collection(RealEngineCollection.Name)]
public sealed class RealEngineTests(RealEngineFactory factory)
{
    private const string Script = TestModels.ScriptText;

    private static string Chat(string extra = "") =>
        "{\"model\":\"scripted\",\"messages\":[{\"role\":\"user\",\"content\":\"Say your line.\"}],\"temperature\":0" + (extra.Length > 0 ? "," + extra : "") + "}";

    private static async Task<(string Text, List<JsonElement> Chunks)> StreamChatAsync(HttpClient client, string body)
    {
        var response = await client.PostAsync("/v1/chat/completions", Json(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sse = (await SseReader.ReadAllAsync(await response.Content.ReadAsStreamAsync())).EnsureWellFormed();
        var chunks = sse.Data.Select(d => JsonDocument.Parse(d).RootElement.Clone()).ToList();
        var text = string.Concat(chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0)
            .Select(c => c.GetProperty("choices")[0].GetProperty("delta"))
            .Select(d => d.TryGetProperty("content", out var t) ? t.GetString() : ""));
        return (text, chunks);
    }

    [Fact]
    public async Task Greedy_chat_returns_the_script()
    {
        var client = await factory.ReadyClientAsync();
        var (status, body, _) = await PostJsonAsync(client, "/v1/chat/completions", Chat());
        Assert.Equal(HttpStatusCode.OK, status);
        var choice = body.GetProperty("choices")[0];
        Assert.Equal(Script, choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal("scripted", body.GetProperty("model").GetString());
        Assert.True(body.GetProperty("usage").GetProperty("completion_tokens").GetInt32() > 0);
    }

    [Fact]
    public async Task Streaming_equals_non_streaming_and_reports_usage()
    {
        var client = await factory.ReadyClientAsync();
        var (_, body, _) = await PostJsonAsync(client, "/v1/chat/completions", Chat());
        var (text, chunks) = await StreamChatAsync(client, Chat("\"stream\":true,\"stream_options\":{\"include_usage\":true}"));
        Assert.Equal(body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), text);
        Assert.DoesNotContain('\uFFFD', text);
        Assert.Equal(
            body.GetProperty("usage").GetProperty("completion_tokens").GetInt32(),
            chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal("stop", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Stop_string_is_not_returned(bool stream)
    {
        var client = await factory.ReadyClientAsync();
        const string extra = "\"stop\":[\"世界\"]";
        var text = stream
            ? (await StreamChatAsync(client, Chat(extra + ",\"stream\":true"))).Text
            : (await PostJsonAsync(client, "/v1/chat/completions", Chat(extra))).Body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
        Assert.Equal("Hello ", text);
    }

    [Fact]
    public async Task Max_tokens_gives_length()
    {
        var client = await factory.ReadyClientAsync();
        var (_, body, _) = await PostJsonAsync(client, "/v1/chat/completions", Chat("\"max_tokens\":2"));
        Assert.Equal("length", body.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(2, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.StartsWith(body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!, Script);
    }

    [Fact]
    public async Task N_greedy_choices_agree()
    {
        var client = await factory.ReadyClientAsync();
        var (_, body, _) = await PostJsonAsync(client, "/v1/chat/completions", Chat("\"n\":3"));
        Assert.All(body.GetProperty("choices").EnumerateArray(), c => Assert.Equal(Script, c.GetProperty("message").GetProperty("content").GetString()));
    }

    [Fact]
    public async Task Completions_with_echo_and_logprobs()
    {
        var client = await factory.ReadyClientAsync();
        var (status, body, _) = await PostJsonAsync(client, "/v1/completions", "{\"model\":\"scripted\",\"prompt\":\"Say your line:\",\"temperature\":0,\"max_tokens\":64,\"echo\":true}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Say your line:" + Script, body.GetProperty("choices")[0].GetProperty("text").GetString());

        var (_, withLogprobs, _) = await PostJsonAsync(client, "/v1/completions", "{\"model\":\"scripted\",\"prompt\":\"Say your line:\",\"temperature\":0,\"max_tokens\":64,\"logprobs\":2}");
        var lp = withLogprobs.GetProperty("choices")[0].GetProperty("logprobs");
        Assert.True(lp.GetProperty("tokens").GetArrayLength() > 0);
        Assert.All(lp.GetProperty("token_logprobs").EnumerateArray(), v => Assert.True(v.GetDouble() <= 0));
    }

    [Fact]
    public async Task Official_sdk_streams_the_script()
    {
        var client = await factory.ReadyClientAsync();
        var chat = new ChatClient(RealEngineFactory.ModelId, new ApiKeyCredential("sk-test"), new OpenAIClientOptions
        {
            Endpoint = new Uri(factory.Server.BaseAddress + "v1"),
            Transport = new HttpClientPipelineTransport(client),
        });
        var text = "";
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Say your line.")], new ChatCompletionOptions { Temperature = 0 }))
        {
            text += string.Concat(update.ContentUpdate.Select(p => p.Text));
        }

        Assert.Equal(Script, text);
    }

    [Fact]
    public async Task Aborted_stream_leaves_the_engine_usable()
    {
        var client = await factory.ReadyClientAsync();
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(Chat("\"stream\":true,\"ignore_eos\":true,\"max_tokens\":500")) })
        {
            var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            var lines = 0;
            while (lines < 4 && await reader.ReadLineAsync() is not null)
            {
                lines++;
            }

            response.Dispose();
        }

        var (status, body, _) = await PostJsonAsync(client, "/v1/chat/completions", Chat());
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Script, body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task Tokenize_round_trips_and_context_overflow_is_400()
    {
        var client = await factory.ReadyClientAsync();
        var (_, tokens, _) = await PostJsonAsync(client, "/tokenize", "{\"content\":\"Hello 世界\"}");
        var ids = string.Join(",", tokens.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()));
        var (_, detok, _) = await PostJsonAsync(client, "/detokenize", "{\"tokens\":[" + ids + "]}");
        Assert.Equal("Hello 世界", detok.GetProperty("content").GetString());

        var huge = string.Join(" ", Enumerable.Repeat("word", 3000));
        var (status, body, _) = await PostJsonAsync(client, "/v1/chat/completions", "{\"model\":\"scripted\",\"messages\":[{\"role\":\"user\",\"content\":\"" + huge + "\"}],\"stream\":true}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(body, "invalid_request_error", "messages", "context_length_exceeded");
    }
}
