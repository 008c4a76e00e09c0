using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using InferenceServer.Api.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Models;

namespace InferenceServer.Api.Tests;

/// <summary>The official OpenAI .NET SDK (2.15) as the client: proof that strict clients parse our output.</summary>
public sealed class OpenAiSdkTests : IDisposable
{
    private readonly ApiFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private OpenAIClientOptions Options() => new()
    {
        Endpoint = new Uri(_factory.Server.BaseAddress + "v1"),
        Transport = new HttpClientPipelineTransport(_factory.CreateClient()),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    };

    private ChatClient Chat(string model = FakeInferenceEngine.ModelId) => new(model, new ApiKeyCredential("sk-test"), Options());

    [Fact]
    public async Task Chat_non_streaming()
    {
        ChatCompletion completion = await Chat().CompleteChatAsync([new SystemChatMessage("be nice"), new UserChatMessage("hi")], new ChatCompletionOptions { Temperature = 0.2f, MaxOutputTokenCount = 8 });
        Assert.Equal("Hello world", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.Equal(2, completion.Usage.OutputTokenCount);
        Assert.StartsWith("chatcmpl-", completion.Id);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(ApiFactory.Now), completion.CreatedAt);
        Assert.Equal(8, _factory.Engine.Requests.Single().MaxTokens);
    }

    [Fact]
    public async Task Chat_streaming()
    {
        var text = "";
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        await foreach (var update in Chat().CompleteChatStreamingAsync([new UserChatMessage("hi")]))
        {
            text += string.Concat(update.ContentUpdate.Select(p => p.Text));
            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.Equal("Hello world", text);
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.NotNull(usage);
        Assert.Equal(2, usage.OutputTokenCount);
    }

    [Fact]
    public async Task Chat_logprobs()
    {
        ChatCompletion completion = await Chat().CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { IncludeLogProbabilities = true, TopLogProbabilityCount = 2 });
        Assert.Equal(2, completion.ContentTokenLogProbabilities.Count);
        Assert.Equal("Hello", completion.ContentTokenLogProbabilities[0].Token);
        Assert.Equal(2, completion.ContentTokenLogProbabilities[0].TopLogProbabilities.Count);
    }

    [Fact]
    public async Task Errors_surface_as_client_result_exceptions_with_status()
    {
        var ex = await Assert.ThrowsAsync<ClientResultException>(() => Chat("no-such-model").CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(404, ex.Status);
        Assert.Contains("model_not_found", ex.Message);
    }

    [Fact]
    public async Task Models_list_and_get()
    {
        var client = new OpenAIModelClient(new ApiKeyCredential("sk-test"), Options());
        OpenAIModelCollection models = await client.GetModelsAsync();
        var model = models[0];
        Assert.Equal(FakeInferenceEngine.ModelId, model.Id);
        Assert.Equal("inferenceserver", model.OwnedBy);
        Assert.Contains(models, m => m.Id == "few-shot-arithmetic" && m.OwnedBy == "prompt-template");
        OpenAIModel one = await client.GetModelAsync(FakeInferenceEngine.ModelId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(FakeInferenceEngine.ModelCreated), one.CreatedAt);
        OpenAIModel template = await client.GetModelAsync("few-shot-arithmetic");
        Assert.Equal("prompt-template", template.OwnedBy);
    }

    [Fact]
    public async Task Legacy_completions_through_the_sdk_pipeline()
    {
        // The SDK's LegacyCompletionClient is internal in 2.15; send through its public pipeline instead.
        var pipeline = new OpenAIClient(new ApiKeyCredential("sk-test"), Options()).Pipeline;
        using var message = pipeline.CreateMessage();
        message.Request.Method = "POST";
        message.Request.Uri = new Uri(_factory.Server.BaseAddress + "v1/completions");
        message.Request.Headers.Set("Content-Type", "application/json");
        message.Request.Content = BinaryContent.Create(BinaryData.FromString("{\"model\":\"tiny-test\",\"prompt\":\"x\",\"max_tokens\":4}"));
        await pipeline.SendAsync(message);
        Assert.Equal(200, message.Response!.Status);
        using var doc = JsonDocument.Parse(message.Response.Content);
        Assert.Equal("Hello world", doc.RootElement.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal(4, _factory.Engine.Requests.Single().MaxTokens);
    }
}
