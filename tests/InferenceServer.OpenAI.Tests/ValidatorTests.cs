using System.Text.Json;
using InferenceServer.Core.Errors;
using InferenceServer.OpenAI.Json;
using InferenceServer.OpenAI.Validation;

namespace InferenceServer.OpenAI.Tests;

public class ValidatorTests
{
    private const string Msgs = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

    private static InferenceException ChatError(string body)
    {
        var request = JsonSerializer.Deserialize("{" + body + "}", OpenAiJsonContext.Default.ChatCompletionRequest)!;
        var ex = Assert.Throws<InferenceException>(() => ChatRequestValidator.Validate(request));
        Assert.Equal(InferenceErrorKind.InvalidRequest, ex.Kind);
        return ex;
    }

    private static InferenceException CompletionError(string body)
    {
        var request = JsonSerializer.Deserialize("{" + body + "}", OpenAiJsonContext.Default.CompletionRequest)!;
        var ex = Assert.Throws<InferenceException>(() => CompletionRequestValidator.Validate(request));
        Assert.Equal(InferenceErrorKind.InvalidRequest, ex.Kind);
        return ex;
    }

    [Theory]
    [InlineData(Msgs, "model", "you must provide a model parameter")]
    [InlineData("\"model\":\"m\"", "messages", "Missing required parameter: 'messages'.")]
    [InlineData("\"model\":\"m\",\"messages\":[]", "messages", "empty array")]
    [InlineData("\"model\":\"m\",\"messages\":[{\"content\":\"x\"}]", "messages[0].role", "Missing required parameter")]
    [InlineData("\"model\":\"m\",\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]", "messages[0].role", "Invalid value: 'wizard'")]
    [InlineData("\"model\":\"m\",\"messages\":[{\"role\":\"function\",\"content\":\"x\"}]", "messages[0].role", "not supported")]
    [InlineData("\"model\":\"m\",\"messages\":[{\"role\":\"user\"}]", "messages[0].content", "Missing required parameter")]
    [InlineData("\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"x\"}}]}]", "messages[0].content[0].type", "'image_url' is not supported")]
    [InlineData("\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\"}]}]", "messages[0].content[0].type", "not supported")]
    [InlineData("\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"video\"}]}]", "messages[0].content[0].type", "Invalid value: 'video'")]
    [InlineData("\"model\":\"m\"," + Msgs + ",\"temperature\":2.5", "temperature", "Expected a value <= 2, but got 2.5 instead.")]
    [InlineData("\"model\":\"m\"," + Msgs + ",\"temperature\":-0.1", "temperature", "Expected a value >= 0")]
    [InlineData("\"model\":\"m\"," + Msgs + ",\"top_p\":1.1", "top_p", "Expected a value <= 1")]
    [InlineData("\"model\":\"m\"," + Msgs + ",\"max_tokens\":0", "max_tokens", "Expected a value >= 1, but got 0 instead.")]
    [InlineData("\"model\":\"m\"," + Msgs + ",\"max_completion_tokens\":-5", "max_completion_tokens", "integer below minimum value")]
    [InlineData("\"model\":\"m\"," + Msgs + ",\"n\":0", "n", "Expected a value >= 1")]
    [InlineData("\"model\":\"m\"," + Msgs + ",\"n\":129", "n", "Expected a value <= 128")]
    [InlineData("\"model\":\"m\"," + Msgs + ",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]", "stop", "maximum length 4")]
    [InlineData("\"model\":\"m\"," + Msgs + ",\"logprobs\":true,\"top_logprobs\":21", "top_logprobs", "Expected a value <= 20")]
    [InlineData("\"model\":\"m\"," + Msgs + ",\"top_logprobs\":2", "top_logprobs", "'logprobs' must be set to true")]
    [InlineData("\"model\":\"m\"," + Msgs + ",\"presence_penalty\":2.5", "presence_penalty", "Expected a value <= 2")]
    [InlineData("\"model\":\"m\"," + Msgs + ",\"frequency_penalty\":-3", "frequency_penalty", "Expected a value >= -2")]
    [InlineData("\"model\":\"m\"," + Msgs + ",\"logit_bias\":{\"50256\":101}", "logit_bias", "between -100 and 100")]
    [InlineData("\"model\":\"m\"," + Msgs + ",\"logit_bias\":{\"abc\":1}", "logit_bias", "Invalid key in 'logit_bias': abc")]
    [InlineData("\"model\":\"m\"," + Msgs + ",\"stream_options\":{\"include_usage\":true}", "stream_options", "only allowed when 'stream' is enabled")]
    [InlineData("\"model\":\"m\"," + Msgs + ",\"response_format\":{\"type\":\"json_schema\"}", "response_format.json_schema", "Missing required parameter")]
    [InlineData("\"model\":\"m\"," + Msgs + ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"schema\":{}}}", "response_format.json_schema.name", "Missing required parameter")]
    [InlineData("\"model\":\"m\"," + Msgs + ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"a b\"}}", "response_format.json_schema.name", "does not match pattern")]
    [InlineData("\"model\":\"m\"," + Msgs + ",\"response_format\":{\"type\":\"yaml\"}", "response_format.type", "Invalid value: 'yaml'")]
    [InlineData("\"model\":\"m\"," + Msgs + ",\"modalities\":[\"text\",\"audio\"]", "modalities", "not supported")]
    [InlineData("\"model\":\"m\"," + Msgs + ",\"min_p\":2", "min_p", "Expected a value <= 1")]
    public void Chat_rejects(string body, string param, string messageFragment)
    {
        var ex = ChatError(body);
        Assert.Equal(param, ex.Param);
        Assert.Contains(messageFragment, ex.Message);
    }

    [Theory]
    [InlineData("\"prompt\":\"x\"", "model", "you must provide a model parameter")]
    [InlineData("\"model\":\"m\"", "prompt", "Missing required parameter: 'prompt'.")]
    [InlineData("\"model\":\"m\",\"prompt\":[]", "prompt", "empty array")]
    [InlineData("\"model\":\"m\",\"prompt\":[[]]", "prompt", "must not be empty")]
    [InlineData("\"model\":\"m\",\"prompt\":\"x\",\"logprobs\":6", "logprobs", "Expected a value <= 5")]
    [InlineData("\"model\":\"m\",\"prompt\":\"x\",\"best_of\":3", "best_of", "not supported")]
    [InlineData("\"model\":\"m\",\"prompt\":\"x\",\"n\":2,\"best_of\":1", "best_of", "best_of must be greater than or equal to n")]
    [InlineData("\"model\":\"m\",\"prompt\":\"x\",\"suffix\":\"end\"", "suffix", "not supported")]
    [InlineData("\"model\":\"m\",\"prompt\":\"x\",\"echo\":true,\"stream\":true", "echo", "echo with stream")]
    [InlineData("\"model\":\"m\",\"prompt\":\"x\",\"max_tokens\":-1", "max_tokens", "Expected a value >= 0")]
    [InlineData("\"model\":\"m\",\"prompt\":\"x\",\"temperature\":3", "temperature", "Expected a value <= 2")]
    [InlineData("\"model\":\"m\",\"prompt\":[\"a\",\"b\"],\"n\":65", "n", "exceeds 128")]
    public void Completion_rejects(string body, string param, string messageFragment)
    {
        var ex = CompletionError(body);
        Assert.Equal(param, ex.Param);
        Assert.Contains(messageFragment, ex.Message);
    }

    [Theory]
    [InlineData("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"tool_choice\":\"none\"")]
    [InlineData("\"response_format\":{\"type\":\"text\"}")]
    [InlineData("\"response_format\":{\"type\":\"json_object\"}")]
    [InlineData("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"out_1\",\"schema\":{\"type\":\"object\"},\"strict\":true}}")]
    [InlineData("\"stream\":true,\"stream_options\":{\"include_usage\":true}")]
    [InlineData("\"logprobs\":true,\"top_logprobs\":20")]
    [InlineData("\"temperature\":0,\"top_p\":0,\"n\":128,\"stop\":[\"a\",\"b\",\"c\",\"d\"]")]
    [InlineData("\"logit_bias\":{\"5\":-100,\"6\":100},\"seed\":42,\"user\":\"u\",\"metadata\":{\"a\":\"b\"}")]
    [InlineData("\"messages\":[{\"role\":\"developer\",\"content\":[{\"type\":\"text\",\"text\":\"x\"}]},{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":null},{\"role\":\"tool\",\"content\":\"r\",\"tool_call_id\":\"c\"}]")]
    public void Chat_accepts(string extra)
    {
        var body = extra.Contains("\"messages\"") ? "{\"model\":\"m\"," + extra + "}" : "{\"model\":\"m\"," + Msgs + "," + extra + "}";
        var request = JsonSerializer.Deserialize(body, OpenAiJsonContext.Default.ChatCompletionRequest)!;
        ChatRequestValidator.Validate(request);
    }

    [Fact]
    public void Unknown_fields_are_collected()
    {
        var request = JsonSerializer.Deserialize("{\"model\":\"m\"," + Msgs + ",\"store\":true,\"mystery\":1}", OpenAiJsonContext.Default.ChatCompletionRequest)!;
        Assert.Equal(["store", "mystery"], request.ExtensionData!.Keys);
    }

    [Fact]
    public void Wrong_type_throws_json_exception_with_path()
    {
        var ex = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("{\"model\":\"m\",\"temperature\":\"hot\"}", OpenAiJsonContext.Default.ChatCompletionRequest));
        Assert.Equal("$.temperature", ex.Path);
    }
}
