using System.Net;
using System.Text.Json;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests.RealEngine;

/// <summary>Bad requests on the real host: each answers with its 4xx status and the OpenAI error object, never a 500.</summary>
[Collection(RealEngineCollection.Name)]
public sealed class BadInputTests(RealEngineFactory factory)
{
    private const string Msgs = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

    [Theory]
    [InlineData("/v1/chat/completions", "{\"model\":\"scripted\",", 400)] // malformed JSON
    [InlineData("/v1/chat/completions", "not json at all", 400)]
    [InlineData("/v1/chat/completions", "", 400)] // empty body
    [InlineData("/v1/chat/completions", "[]", 400)] // JSON, but not an object
    [InlineData("/v1/chat/completions", "{" + Msgs + "}", 400)] // missing model
    [InlineData("/v1/chat/completions", "{\"model\":\"scripted\"}", 400)] // missing messages
    [InlineData("/v1/chat/completions", "{\"model\":\"scripted\",\"messages\":[]}", 400)] // empty messages
    [InlineData("/v1/chat/completions", "{\"model\":\"scripted\",\"messages\":\"hi\"}", 400)] // messages not an array
    [InlineData("/v1/chat/completions", "{\"model\":\"scripted\",\"messages\":[{\"content\":\"hi\"}]}", 400)] // message without role
    [InlineData("/v1/chat/completions", "{\"model\":\"scripted\",\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}", 400)] // unknown role
    [InlineData("/v1/chat/completions", "{\"model\":\"scripted\"," + Msgs + ",\"temperature\":\"hot\"}", 400)] // wrong type
    [InlineData("/v1/chat/completions", "{\"model\":42," + Msgs + "}", 400)] // wrong type
    [InlineData("/v1/chat/completions", "{\"model\":\"scripted\"," + Msgs + ",\"temperature\":3}", 400)]
    [InlineData("/v1/chat/completions", "{\"model\":\"scripted\"," + Msgs + ",\"temperature\":-1}", 400)]
    [InlineData("/v1/chat/completions", "{\"model\":\"scripted\"," + Msgs + ",\"top_p\":1.5}", 400)]
    [InlineData("/v1/chat/completions", "{\"model\":\"scripted\"," + Msgs + ",\"max_tokens\":0}", 400)]
    [InlineData("/v1/chat/completions", "{\"model\":\"scripted\"," + Msgs + ",\"max_tokens\":-1}", 400)]
    [InlineData("/v1/chat/completions", "{\"model\":\"scripted\"," + Msgs + ",\"max_tokens\":1.5}", 400)]
    [InlineData("/v1/chat/completions", "{\"model\":\"scripted\"," + Msgs + ",\"max_tokens\":99999999999}", 400)] // overflows int
    [InlineData("/v1/chat/completions", "{\"model\":\"scripted\"," + Msgs + ",\"n\":0}", 400)]
    [InlineData("/v1/chat/completions", "{\"model\":\"scripted\"," + Msgs + ",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}", 400)]
    [InlineData("/v1/chat/completions", "{\"model\":\"scripted\"," + Msgs + ",\"stream\":\"yes\"}", 400)]
    [InlineData("/v1/chat/completions", "{\"model\":\"no-such-model\"," + Msgs + "}", 404)]
    [InlineData("/v1/chat/completions", "{\"model\":\"no-such-model\"," + Msgs + ",\"stream\":true}", 404)]
    [InlineData("/v1/completions", "{\"model\":\"scripted\"", 400)]
    [InlineData("/v1/completions", "{\"model\":\"scripted\"}", 400)] // missing prompt
    [InlineData("/v1/completions", "{\"model\":\"scripted\",\"prompt\":\"x\",\"max_tokens\":-1}", 400)]
    [InlineData("/v1/completions", "{\"model\":\"scripted\",\"prompt\":\"x\",\"temperature\":\"hot\"}", 400)]
    [InlineData("/v1/completions", "{\"model\":\"no-such-model\",\"prompt\":\"x\"}", 404)]
    public async Task Bad_request_gets_its_status_and_the_openai_error_object(string path, string body, int expectedStatus)
    {
        var client = await factory.ReadyClientAsync();
        var response = await client.PostAsync(path, Json(body));
        var text = await response.Content.ReadAsStringAsync();

        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.True(expectedStatus == (int)response.StatusCode, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", ContentType(response)?.MediaType);

        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        Assert.Equal(["code", "message", "param", "type"], error.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.False(string.IsNullOrEmpty(error.GetProperty("type").GetString()));
        Assert.Contains(error.GetProperty("code").ValueKind, new[] { JsonValueKind.String, JsonValueKind.Null });
        Assert.Contains(error.GetProperty("param").ValueKind, new[] { JsonValueKind.String, JsonValueKind.Null });
        if (expectedStatus == 404)
        {
            Assert.Equal("model_not_found", error.GetProperty("code").GetString());
            Assert.Equal("model", error.GetProperty("param").GetString());
        }
        else
        {
            Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        }

        // The engine is untouched: nothing queued or running.
        Assert.Equal(0, factory.Engine.GetSnapshot().Waiting);
    }
}
