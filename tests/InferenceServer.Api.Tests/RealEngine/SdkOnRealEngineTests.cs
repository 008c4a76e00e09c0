using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json;
using InferenceServer.TestKit;
using OpenAI;
using OpenAI.Chat;

namespace InferenceServer.Api.Tests.RealEngine;

/// <summary>
/// The official OpenAI .NET SDK (2.15) on the real engine: streamed and non-streamed greedy output agree, on random
/// weights (arbitrary but deterministic text through real attention) and on the scripted model (exact script).
/// </summary>
public abstract class SdkOnRealEngineTests<TFactory>(TFactory factory)
    where TFactory : RealEngineFactory
{
    protected TFactory Factory { get; } = factory;

    protected abstract string Prompt { get; }

    /// <summary>True where the model only emits valid UTF-8 (scripted); random weights may emit stray byte tokens.</summary>
    protected abstract bool ValidUtf8Model { get; }

    protected async Task<OpenAIClientOptions> OptionsAsync() => new()
    {
        Endpoint = new Uri(Factory.Server.BaseAddress + "v1"),
        Transport = new HttpClientPipelineTransport(await Factory.ReadyClientAsync()),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    };

    protected async Task<ChatClient> ChatAsync() => new(Factory.Settings.ModelId, new ApiKeyCredential("sk-test"), await OptionsAsync());

    protected static ChatCompletionOptions Greedy(int maxTokens) => new() { Temperature = 0, MaxOutputTokenCount = maxTokens };

    protected async Task<(string Text, ChatFinishReason? Finish, int? OutputTokens)> StreamAsync(ChatClient chat, int maxTokens)
    {
        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        int? tokens = null;
        var options = Greedy(maxTokens);
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage(Prompt)], options))
        {
            foreach (var part in update.ContentUpdate)
            {
                Assert.True(!ValidUtf8Model || !part.Text.Contains('\uFFFD'), "a streamed chunk carries U+FFFD");
                text.Append(part.Text);
            }

            finish ??= update.FinishReason;
            tokens ??= update.Usage?.OutputTokenCount;
        }

        return (text.ToString(), finish, tokens);
    }

    /// <summary>POSTs a legacy completion through the SDK's own pipeline (its LegacyCompletionClient is internal in 2.15).</summary>
    protected async Task<PipelineResponse> SendCompletionAsync(string json, bool stream)
    {
        var pipeline = new OpenAIClient(new ApiKeyCredential("sk-test"), await OptionsAsync()).Pipeline;
        var message = pipeline.CreateMessage();
        message.Request.Method = "POST";
        message.Request.Uri = new Uri(Factory.Server.BaseAddress + "v1/completions");
        message.Request.Headers.Set("Content-Type", "application/json");
        message.Request.Content = BinaryContent.Create(BinaryData.FromString(json));
        message.BufferResponse = !stream;
        await pipeline.SendAsync(message);
        Assert.Equal(200, message.Response!.Status);
        return message.ExtractResponse()!;
    }

    protected async Task<(string NonStreamed, string Streamed)> CompletionBothWaysAsync(string prompt, int maxTokens)
    {
        var json = "{\"model\":" + JsonSerializer.Serialize(Factory.Settings.ModelId) + ",\"prompt\":" + JsonSerializer.Serialize(prompt)
            + ",\"temperature\":0,\"max_tokens\":" + maxTokens;
        using var plain = await SendCompletionAsync(json + "}", stream: false);
        var nonStreamed = JsonDocument.Parse(plain.Content).RootElement.GetProperty("choices")[0].GetProperty("text").GetString()!;

        using var streamed = await SendCompletionAsync(json + ",\"stream\":true}", stream: true);
        var sse = (await SseReader.ReadAllAsync(streamed.ContentStream!)).EnsureWellFormed();
        var text = string.Concat(sse.Data.Select(d => JsonDocument.Parse(d).RootElement.GetProperty("choices"))
            .Where(c => c.GetArrayLength() > 0)
            .Select(c => c[0].GetProperty("text").GetString()));
        return (nonStreamed, text);
    }
}

public sealed class SdkOnTinyRandomTests(TinyRandomEngineFactory factory)
    : SdkOnRealEngineTests<TinyRandomEngineFactory>(factory), IClassFixture<TinyRandomEngineFactory>
{
    protected override string Prompt => "Tell me a story about a small robot.";

    protected override bool ValidUtf8Model => false;

    [Fact]
    public async Task Sdk_chat_streamed_text_equals_non_streamed_text()
    {
        var chat = await ChatAsync();
        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage(Prompt)], Greedy(40));
        var streamed = await StreamAsync(chat, 40);

        Assert.NotEmpty(completion.Content[0].Text);
        Assert.Equal(completion.Content[0].Text, streamed.Text);
        Assert.Equal(completion.FinishReason, streamed.Finish);
        Assert.Equal(completion.Usage.OutputTokenCount, streamed.OutputTokens ?? completion.Usage.OutputTokenCount);

        // Greedy on the same prompt is deterministic run to run.
        ChatCompletion again = await chat.CompleteChatAsync([new UserChatMessage(Prompt)], Greedy(40));
        Assert.Equal(completion.Content[0].Text, again.Content[0].Text);
    }

    [Fact]
    public async Task Sdk_chat_matches_raw_http_with_ignore_eos()
    {
        // The raw request can carry ignore_eos, so its length is fixed; the SDK's output must be a prefix of it
        // (identical up to where the SDK run stopped, at an end-of-generation token or max tokens).
        var chat = await ChatAsync();
        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage(Prompt)], Greedy(40));
        var raw = await RealHttp.ChatAsync(await Factory.ReadyClientAsync(), RealHttp.ChatBody(Factory.Settings.ModelId, Prompt, "\"max_tokens\":40,\"ignore_eos\":true"));

        Assert.Equal("length", raw.FinishReason);
        Assert.Equal(40, raw.CompletionTokens);
        Assert.StartsWith(completion.Content[0].Text, raw.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sdk_pipeline_completions_streamed_equals_non_streamed()
    {
        var (nonStreamed, streamed) = await CompletionBothWaysAsync("Once upon a time", 32);
        Assert.NotEmpty(nonStreamed);
        Assert.Equal(nonStreamed, streamed);
    }
}

[Collection(RealEngineCollection.Name)]
public sealed class SdkOnScriptedTests(RealEngineFactory factory)
    : SdkOnRealEngineTests<RealEngineFactory>(factory)
{
    protected override string Prompt => "Say your line.";

    protected override bool ValidUtf8Model => true;

    [Fact]
    public async Task Sdk_chat_non_streaming_returns_the_exact_script()
    {
        var chat = await ChatAsync();
        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage(Prompt)], Greedy(64));
        Assert.Equal(TestModels.ScriptText, completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);

        var streamed = await StreamAsync(chat, 64);
        Assert.Equal(TestModels.ScriptText, streamed.Text);
        Assert.Equal(ChatFinishReason.Stop, streamed.Finish);
    }

    [Fact]
    public async Task Sdk_pipeline_completions_return_the_exact_script_both_ways()
    {
        var (nonStreamed, streamed) = await CompletionBothWaysAsync("Say your line:", 64);
        Assert.Equal(TestModels.ScriptText, nonStreamed);
        Assert.Equal(TestModels.ScriptText, streamed);
    }
}
