using System.ClientModel;
using System.ClientModel.Primitives;
using InferenceServer.Api.Tests.RealEngine;
using InferenceServer.Api.Tests.Structured;
using InferenceServer.TestKit;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using ChatFinishReason = OpenAI.Chat.ChatFinishReason;
using ChatMessage = OpenAI.Chat.ChatMessage;
using ChatResponseFormat = OpenAI.Chat.ChatResponseFormat;

namespace InferenceServer.Api.Tests.Tools;

/// <summary>Tool calling through the official OpenAI .NET SDK (ChatTool, streamed tool-call updates) and through
/// Microsoft.Extensions.AI's OpenAI client with automatic function invocation: call, tool result, answer.</summary>
public sealed class SdkToolCallingTests(HermesModelFactory factory) : IClassFixture<HermesModelFactory>
{
    private static readonly BinaryData WeatherParameters = BinaryData.FromString(
        """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""");

    private Task<ChatClient> ChatAsync() => SdkChat.CreateAsync(factory);

    [Fact]
    public async Task The_openai_sdk_makes_a_full_round_trip()
    {
        var chat = await ChatAsync();
        var options = new ChatCompletionOptions { Temperature = 0, Tools = { ChatTool.CreateFunctionTool("get_weather", "Weather for a city", WeatherParameters) } };
        List<ChatMessage> messages = [new UserChatMessage("Weather in Paris?")];

        ChatCompletion first = await chat.CompleteChatAsync(messages, options);

        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        var call = Assert.Single(first.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal(ToolCallingModels.Arguments, call.FunctionArguments.ToString());
        Assert.Equal(ToolCallingModels.HermesPreamble, first.Content[0].Text);

        messages.Add(new AssistantChatMessage(first));
        messages.Add(new ToolChatMessage(call.Id, "sunny"));
        ChatCompletion second = await chat.CompleteChatAsync(messages, options);

        Assert.Equal(ChatFinishReason.Stop, second.FinishReason);
        Assert.Equal(ToolCallingModels.Answer, second.Content[0].Text);
    }

    [Fact]
    public async Task The_openai_sdk_assembles_streamed_tool_call_updates()
    {
        var chat = await ChatAsync();
        var options = new ChatCompletionOptions { Temperature = 0, Tools = { ChatTool.CreateFunctionTool("get_weather", "Weather for a city", WeatherParameters) } };
        string? id = null, name = null;
        var arguments = "";
        ChatFinishReason? finish = null;

        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Weather in Paris?")], options))
        {
            foreach (var toolUpdate in update.ToolCallUpdates)
            {
                Assert.Equal(0, toolUpdate.Index);
                id ??= toolUpdate.ToolCallId;
                name ??= toolUpdate.FunctionName;
                arguments += toolUpdate.FunctionArgumentsUpdate?.ToString();
            }

            finish ??= update.FinishReason;
        }

        Assert.StartsWith("call_", id, StringComparison.Ordinal);
        Assert.Equal("get_weather", name);
        Assert.Equal(ToolCallingModels.Arguments, arguments);
        Assert.Equal(ChatFinishReason.ToolCalls, finish);
    }

    [Fact]
    public async Task Microsoft_extensions_ai_invokes_the_function_and_returns_the_answer()
    {
        var chat = await ChatAsync();
        string? askedCity = null;
        var weather = AIFunctionFactory.Create((string city) => { askedCity = city; return "sunny"; }, "get_weather", "Weather for a city");
        using var client = new ChatClientBuilder(chat.AsIChatClient()).UseFunctionInvocation().Build();

        var response = await client.GetResponseAsync("Weather in Paris?", new ChatOptions { Tools = [weather], Temperature = 0 });

        Assert.Equal("Paris", askedCity);
        Assert.Equal(ToolCallingModels.Answer, response.Messages[^1].Text);
        Assert.Contains(response.Messages, m => m.Contents.OfType<FunctionCallContent>().Any(c => c.Name == "get_weather"));
    }
}

/// <summary>ChatResponseFormat.CreateJsonSchemaFormat through the SDK on random weights: the answer validates.</summary>
public sealed class SdkJsonSchemaTests(TinyRandomEngineFactory factory) : IClassFixture<TinyRandomEngineFactory>
{
    private const string Schema = """{"type":"object","properties":{"name":{"type":"string","maxLength":10},"age":{"type":"integer","minimum":0,"maximum":120}},"required":["name","age"],"additionalProperties":false}""";

    [Fact]
    public async Task Create_json_schema_format_returns_a_valid_instance()
    {
        var chat = await SdkChat.CreateAsync(factory);
        var options = new ChatCompletionOptions
        {
            Temperature = 1.1f,
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("person", BinaryData.FromString(Schema), jsonSchemaIsStrict: true),
        };

        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("Who?")], options);

        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Null(StructuredOutputPropertyTests.Check(System.Text.Json.Nodes.JsonNode.Parse(Schema)!, completion.Content[0].Text, "stop"));
    }
}

/// <summary>An official-SDK chat client on a test server (no retries).</summary>
internal static class SdkChat
{
    public static async Task<ChatClient> CreateAsync(RealEngineFactory factory) => new(factory.Settings.ModelId, new ApiKeyCredential("sk-test"), new OpenAIClientOptions
    {
        Endpoint = new Uri(factory.Server.BaseAddress + "v1"),
        Transport = new HttpClientPipelineTransport(await factory.ReadyClientAsync()),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    });
}
