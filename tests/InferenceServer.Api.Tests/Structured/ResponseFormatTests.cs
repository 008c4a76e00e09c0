using System.Net;
using System.Text.Json;
using InferenceServer.Api.Tests.RealEngine;
using InferenceServer.TestKit;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests.Structured;

/// <summary>response_format on the real engine (random weights): JSON modes streaming and not, text completions,
/// and the 400s for schemas that cannot be honoured.</summary>
public sealed class ResponseFormatTests(TinyRandomEngineFactory factory) : IClassFixture<TinyRandomEngineFactory>
{
    private const string Model = TinyRandomEngineFactory.TinyModelId;
    private const string Messages = "\"messages\":[{\"role\":\"user\",\"content\":\"Give me JSON.\"}]";

    private const string PersonSchema = """
        {"type":"object","properties":{"name":{"type":"string","maxLength":12},"age":{"type":"integer","minimum":0,"maximum":130},
         "email":{"type":"string","format":"email"},"tags":{"type":"array","items":{"enum":["a","b"]},"maxItems":3}},
         "required":["name","age"],"additionalProperties":false}
        """;

    [Fact]
    public async Task Json_object_mode_returns_a_json_object()
    {
        var client = await factory.ReadyClientAsync();

        var result = await RealHttp.ChatAsync(client, Body("\"response_format\":{\"type\":\"json_object\"},\"seed\":3,\"max_tokens\":400"));

        if (result.FinishReason == "stop")
        {
            Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(result.Text).RootElement.ValueKind);
        }
        else
        {
            Assert.StartsWith("{", result.Text.TrimStart(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_streamed_json_schema_answer_equals_the_non_streamed_one_and_validates()
    {
        var client = await factory.ReadyClientAsync();
        var body = Body("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"person\",\"schema\":" + PersonSchema + "}},\"max_tokens\":600");

        var whole = await RealHttp.ChatAsync(client, body);
        var streamed = await RealHttp.StreamChatAsync(client, body);

        Assert.Equal("stop", whole.FinishReason);
        Assert.Equal(whole.Text, streamed.Text);
        Assert.Null(StructuredOutputPropertyTests.Check(System.Text.Json.Nodes.JsonNode.Parse(PersonSchema)!, whole.Text, whole.FinishReason));
    }

    [Fact]
    public async Task Text_completions_accept_response_format_as_an_extension()
    {
        var client = await factory.ReadyClientAsync();
        var schema = """{"type":"array","items":{"type":"integer","minimum":-5,"maximum":5},"minItems":1,"maxItems":4}""";

        var (status, body, _) = await PostJsonAsync(client, "/v1/completions",
            "{\"model\":\"" + Model + "\",\"prompt\":\"Numbers:\",\"max_tokens\":200,\"temperature\":1,\"seed\":9,\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"n\",\"schema\":" + schema + "}}}");

        Assert.Equal(HttpStatusCode.OK, status);
        var choice = body.GetProperty("choices")[0];
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Null(StructuredOutputPropertyTests.Check(System.Text.Json.Nodes.JsonNode.Parse(schema)!, choice.GetProperty("text").GetString()!, "stop"));
    }

    [Fact]
    public async Task Stop_strings_logprobs_and_n_compose_with_the_grammar()
    {
        var client = await factory.ReadyClientAsync();
        var schema = """{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"boolean"}},"required":["a","b"],"additionalProperties":false}""";

        var (status, body, _) = await PostJsonAsync(client, "/v1/chat/completions", Body(
            "\"n\":2,\"seed\":5,\"logprobs\":true,\"top_logprobs\":2,\"stop\":[\",\"],\"max_tokens\":300,\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"s\",\"schema\":" + schema + "}}"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, body.GetProperty("choices").GetArrayLength());
        foreach (var choice in body.GetProperty("choices").EnumerateArray())
        {
            // The grammar writes "a" first; the stop string cuts the object at its first comma.
            var content = choice.GetProperty("message").GetProperty("content").GetString()!;
            Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
            Assert.Matches("^\\{\\s*\"a\"\\s*:\\s*-?\\d+\\s*$", content);
            Assert.True(choice.GetProperty("logprobs").GetProperty("content").GetArrayLength() > 0);
        }
    }

    [Theory]
    [InlineData("""{"type":"string","contentEncoding":"base64"}""", "unsupported_schema_keyword", "contentEncoding")]
    [InlineData("""{"type":"object","properties":{"a":{"$ref":"https://example.com/a.json"}}}""", "unsupported_schema_keyword", "remote $ref")]
    [InlineData("""{"type":"number","minimum":1.5}""", "unsupported_schema_keyword", "'minimum'")]
    [InlineData("""{"type":"string","pattern":"(?<=a)b"}""", "unsupported_schema_keyword", "pattern")]
    [InlineData("""{"type":"strin"}""", "unsupported_schema_keyword", "Unknown type 'strin'")]
    [InlineData("""{"type":"array","minItems":3,"maxItems":1}""", "unsupported_schema_keyword", "'maxItems' is below 'minItems'")]
    public async Task Schemas_that_cannot_be_honoured_are_400s_naming_the_reason(string schema, string code, string fragment)
    {
        var client = await factory.ReadyClientAsync();

        var (status, body, _) = await PostJsonAsync(client, "/v1/chat/completions",
            Body("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":" + schema + "}}"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = AssertError(body, "invalid_request_error", "response_format.json_schema.schema", code);
        Assert.Contains(fragment, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ignore_eos_with_a_json_format_is_a_400()
    {
        var client = await factory.ReadyClientAsync();

        var (status, body, _) = await PostJsonAsync(client, "/v1/chat/completions", Body("\"response_format\":{\"type\":\"json_object\"},\"ignore_eos\":true"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(body, "invalid_request_error", "ignore_eos", "invalid_value");
    }

    private static string Body(string extra) => "{\"model\":\"" + Model + "\"," + Messages + ",\"temperature\":0," + extra + "}";
}
