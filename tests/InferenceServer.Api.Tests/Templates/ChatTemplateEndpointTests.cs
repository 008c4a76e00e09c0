using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;

namespace InferenceServer.Api.Tests.Templates;

/// <summary>
/// The real engine on a model that carries its own Jinja template: /apply-template renders exactly what Python
/// jinja2 (configured as transformers) renders for the same request (expected texts produced with
/// tests/InferenceServer.Templating.Tests/Reference/render.py), /props describes the model, a template that raises is
/// a 400, and the OpenAI SDK completes a chat whose history holds a tool-call round trip.
/// </summary>
public sealed class ChatTemplateEndpointTests(JinjaTemplateModelFactory factory) : IClassFixture<JinjaTemplateModelFactory>
{
    private const string Tools = """[{"type":"function","function":{"name":"get_weather","description":"Weather for a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]""";

    private const string RoundTrip = """
        [{"role":"system","content":"Use tools."},{"role":"user","content":"Weather in Zürich?"},
         {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"Zürich\"}"}}]},
         {"role":"tool","tool_call_id":"call_1","content":"sunny"}]
        """;

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, string json)
    {
        var client = await factory.ReadyClientAsync();
        using var response = await client.PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Fact]
    public async Task Apply_template_renders_a_plain_chat()
    {
        var (status, body) = await PostAsync("/apply-template", """{"messages":[{"role":"user","content":"Hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", body.GetProperty("prompt").GetString());
    }

    [Fact]
    public async Task Apply_template_renders_tools_and_a_tool_call_round_trip_like_transformers()
    {
        var (status, body) = await PostAsync("/apply-template", $$"""{"model":"{{JinjaTemplateModelFactory.JinjaModelId}}","messages":{{RoundTrip}},"tools":{{Tools}}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(
            "<|im_start|>system\nUse tools.\n# Tools\n{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Weather for a city\", \"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}, \"required\": [\"city\"]}}}<|im_end|>\n<|im_start|>user\nWeather in Zürich?<|im_end|>\n<|im_start|>assistant\n<tool_call>{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Zürich\"}}</tool_call><|im_end|>\n<|im_start|>tool\n<tool_response id=\"call_1\">sunny</tool_response><|im_end|>\n<|im_start|>assistant\n",
            body.GetProperty("prompt").GetString());
    }

    [Fact]
    public async Task Chat_template_kwargs_reach_the_template()
    {
        var (status, body) = await PostAsync("/apply-template", """{"messages":[{"role":"user","content":"Hi"}],"chat_template_kwargs":{"enable_thinking":false}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n", body.GetProperty("prompt").GetString());
    }

    [Theory]
    [InlineData("/apply-template")]
    [InlineData("/v1/chat/completions")]
    public async Task A_template_that_raises_is_a_400_with_its_message(string path)
    {
        var (status, body) = await PostAsync(path, $$"""{"model":"{{JinjaTemplateModelFactory.JinjaModelId}}","messages":[{"role":"user","content":"!boom"}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = body.GetProperty("error");
        Assert.Equal("User messages must not start with \"!\"", error.GetProperty("message").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("messages", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task Malformed_tool_calls_are_a_400_naming_the_field()
    {
        var (status, body) = await PostAsync("/apply-template", """{"messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"x","type":"function","function":{"arguments":"{}"}}]}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("messages[0].tool_calls[0].function.name", body.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task Props_describe_the_model_and_its_template_without_paths()
    {
        var client = await factory.ReadyClientAsync();
        var text = await client.GetStringAsync("/props");
        var body = JsonDocument.Parse(text).RootElement;

        Assert.Equal(JinjaTemplateModelFactory.TemplateSource, body.GetProperty("chat_template").GetString());
        Assert.Equal("<|endoftext|>", body.GetProperty("bos_token").GetString());
        Assert.Equal("<|endoftext|>", body.GetProperty("eos_token").GetString());
        Assert.Equal(2, body.GetProperty("total_slots").GetInt32());
        Assert.Equal(JinjaTemplateModelFactory.JinjaModelId, body.GetProperty("model_alias").GetString());
        Assert.Equal(2048, body.GetProperty("default_generation_settings").GetProperty("n_ctx").GetInt32());
        Assert.Equal(1.0, body.GetProperty("default_generation_settings").GetProperty("params").GetProperty("temperature").GetDouble());
        Assert.False(body.TryGetProperty("model_path", out _));
        Assert.DoesNotContain(Path.GetTempPath().TrimEnd('/'), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sdk_completes_a_chat_whose_history_holds_a_tool_call_round_trip()
    {
        var options = new OpenAIClientOptions
        {
            Endpoint = new Uri(factory.Server.BaseAddress + "v1"),
            Transport = new HttpClientPipelineTransport(await factory.ReadyClientAsync()),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        };
        var chat = new ChatClient(JinjaTemplateModelFactory.JinjaModelId, new ApiKeyCredential("sk-test"), options);
        var weather = ChatTool.CreateFunctionTool("get_weather", "Weather for a city", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}}}"""));
        List<ChatMessage> messages =
        [
            new UserChatMessage("Weather in Zürich?"),
            new AssistantChatMessage([ChatToolCall.CreateFunctionToolCall("call_1", "get_weather", BinaryData.FromString("""{"city":"Zürich"}"""))]),
            new ToolChatMessage("call_1", "sunny"),
        ];
        var completionOptions = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 4, ToolChoice = ChatToolChoice.CreateNoneChoice() };
        completionOptions.Tools.Add(weather);

        ChatCompletion completion = await chat.CompleteChatAsync(messages, completionOptions);

        Assert.Equal(JinjaTemplateModelFactory.JinjaModelId, completion.Model);
        Assert.True(completion.Usage.InputTokenCount > 60, $"the rendered prompt (tools, call, response) should be long; got {completion.Usage.InputTokenCount} tokens");
        Assert.InRange(completion.Usage.OutputTokenCount, 1, 4);
    }
}
