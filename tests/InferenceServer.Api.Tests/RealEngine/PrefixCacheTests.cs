using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text.Json;
using InferenceServer.TestKit;
using OpenAI;
using OpenAI.Chat;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests.RealEngine;

/// <summary>
/// The prefix cache on the real engine (TinyRandom: random weights, real attention): greedy output with the cache is
/// the output without it, token for token with the same logprobs up to a numerical tie (<see cref="GreedyTrace"/>) (sequential and concurrent, shared system prompts, multi-turn chats), and usage
/// reports the reused prompt tokens as <c>prompt_tokens_details.cached_tokens</c> in chat, completions and the
/// streaming usage chunk, through the official OpenAI .NET SDK too.
/// </summary>
public sealed class PrefixCacheTests(TinyRandomEngineFactory cached, TinyRandomNoCacheEngineFactory uncached)
    : IClassFixture<TinyRandomEngineFactory>, IClassFixture<TinyRandomNoCacheEngineFactory>
{
    private const string System = "You are a careful assistant. Answer every question in one short sentence, with no preamble, and never repeat the question back.";
    private static readonly string[] Questions = ["What is the sea?", "Name a colour.", "Why is the sky blue?", "Say hello.", "Count to three."];

    private static string Body(IEnumerable<(string Role, string Content)> messages) => GreedyTrace.ChatBody(messages, maxTokens: 12);

    private static string Ask(string question) => Body([("system", System), ("user", question)]);

    private static async Task<(string Text, JsonElement Usage)> PostAsync(HttpClient client, string path, string body)
    {
        var response = await client.PostAsync(path, Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {text}");
        var root = JsonDocument.Parse(text).RootElement;
        var choice = root.GetProperty("choices")[0];
        var output = choice.TryGetProperty("message", out var message) ? message.GetProperty("content").GetString()! : choice.GetProperty("text").GetString()!;
        return (output, root.GetProperty("usage").Clone());
    }

    private static int Cached(JsonElement usage) => usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32();

    [Fact]
    public async Task Greedy_output_is_identical_with_and_without_the_cache()
    {
        var on = await cached.ReadyClientAsync();
        var off = await uncached.ReadyClientAsync();
        var bodies = Questions.Select(Ask).ToList();
        var turn1 = await PostAsync(off, "/v1/chat/completions", Ask(Questions[0]));
        bodies.Add(Body([("system", System), ("user", Questions[0]), ("assistant", turn1.Text), ("user", "And then?")]));

        var reference = new List<GreedyTrace>();
        foreach (var body in bodies)
        {
            reference.Add(await GreedyTrace.ChatAsync(off, body));
        }

        // Sequentially (each request finds the previous ones cached), then all at once (copies between running slots).
        var cachedTotal = 0;
        for (var i = 0; i < bodies.Count; i++)
        {
            var withCache = await GreedyTrace.ChatAsync(on, bodies[i]);
            GreedyTrace.AssertSameUpToTies(reference[i], withCache, $"request {i} without vs with the cache");
            cachedTotal += withCache.CachedTokens!.Value;
        }

        var together = await Task.WhenAll(bodies.Select(b => GreedyTrace.ChatAsync(on, b)));
        for (var i = 0; i < bodies.Count; i++)
        {
            GreedyTrace.AssertSameUpToTies(reference[i], together[i], $"concurrent request {i} without vs with the cache");
            Assert.True(together[i].CachedTokens > 0, $"concurrent request {i} reused nothing");
        }

        Assert.True(cachedTotal > 0, "the shared system prompt was reused");
    }

    [Fact]
    public async Task A_second_chat_turn_reports_at_least_the_first_turns_prompt_as_cached_through_the_sdk()
    {
        var http = await cached.ReadyClientAsync();
        var chat = new ChatClient(TinyRandomEngineFactory.TinyModelId, new ApiKeyCredential("sk-test"), new OpenAIClientOptions
        {
            Endpoint = new Uri(cached.Server.BaseAddress + "v1"),
            Transport = new HttpClientPipelineTransport(http),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        });
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 10 };
        List<ChatMessage> history = [new SystemChatMessage("A unique system prompt for the multi-turn test."), new UserChatMessage("Tell me about rivers.")];
        ChatCompletion first = (await chat.CompleteChatAsync(history, options)).Value;
        history.Add(new AssistantChatMessage(first.Content[0].Text));
        history.Add(new UserChatMessage("Shorter, please."));
        ChatCompletion second = (await chat.CompleteChatAsync(history, options)).Value;

        Assert.True(second.Usage.InputTokenDetails.CachedTokenCount >= first.Usage.InputTokenCount,
            $"second turn cached {second.Usage.InputTokenDetails.CachedTokenCount}, first turn's prompt {first.Usage.InputTokenCount}");
        Assert.True(second.Usage.InputTokenDetails.CachedTokenCount < second.Usage.InputTokenCount);
    }

    [Fact]
    public async Task Completions_report_cached_tokens_in_the_response_and_in_the_streaming_usage_chunk()
    {
        var client = await cached.ReadyClientAsync();
        const string prompt = "Once upon a time in a land far away there lived a completions test that liked caches";
        string Completion(string suffix, bool stream)
        {
            var body = new Dictionary<string, object>
            {
                ["model"] = TinyRandomEngineFactory.TinyModelId,
                ["prompt"] = prompt + suffix,
                ["max_tokens"] = 4,
                ["temperature"] = 0,
            };
            if (stream)
            {
                body["stream"] = true;
                body["stream_options"] = new Dictionary<string, bool> { ["include_usage"] = true };
            }

            return JsonSerializer.Serialize(body);
        }

        var (_, firstUsage) = await PostAsync(client, "/v1/completions", Completion("", stream: false));
        var (_, secondUsage) = await PostAsync(client, "/v1/completions", Completion(" and more", stream: false));
        Assert.Equal(0, Cached(firstUsage));
        Assert.True(Cached(secondUsage) >= firstUsage.GetProperty("prompt_tokens").GetInt32() - 2,
            $"cached {Cached(secondUsage)} of a prompt extending a {firstUsage.GetProperty("prompt_tokens").GetInt32()}-token one");

        var response = await client.PostAsync("/v1/completions", Json(Completion(" and even more", stream: true)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sse = (await SseReader.ReadAllAsync(await response.Content.ReadAsStreamAsync())).EnsureWellFormed();
        var usageChunk = sse.Data.Select(d => JsonDocument.Parse(d).RootElement)
            .Single(c => c.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object);
        Assert.True(Cached(usageChunk.GetProperty("usage")) >= firstUsage.GetProperty("prompt_tokens").GetInt32() - 2);
    }
}
