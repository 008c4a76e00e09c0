using System.Net;
using System.Text.Json;
using InferenceServer.TestKit;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests.RealEngine;

/// <summary>One generated token as the chat logprobs report it: its bytes, its logprob and the top alternatives'.</summary>
public sealed record TraceStep(string Token, double Logprob, IReadOnlyDictionary<string, double> Top);

/// <summary>
/// A greedy chat generation with its per-token logprobs (<c>logprobs: true, top_logprobs: 5</c>), read from a plain or a
/// streamed response, so two runs can be compared the way llama.cpp allows: equal, except that a choice may flip
/// where the model's top two tokens are a numerical tie.
/// </summary>
/// <remarks>
/// llama.cpp is not batch-invariant: a sequence's logits depend, in the last bits, on what else shares its batch
/// (kernel choice and accumulation order follow the batch's shape and the cells' places). Measured: batched and solo
/// logprobs agree within about 3.5e-3 with flash attention (docs/engine-notes.md). With random weights the top two tokens are sometimes that close, and from there
/// the two runs legitimately write different text. A scheduling bug (wrong cells, positions or sequence ids) instead
/// changes the logprobs themselves, far beyond <see cref="Tolerance"/>, which is what <see cref="AssertSameUpToTies"/>
/// checks at every token before any flip.
/// </remarks>
public sealed record GreedyTrace(string Text, string? FinishReason, int? CompletionTokens, IReadOnlyList<TraceStep> Steps)
{
    /// <summary>The usage's <c>prompt_tokens_details.cached_tokens</c> (the plain response's), when reported.</summary>
    public int? CachedTokens { get; init; }

    /// <summary>The usage's <c>prompt_tokens</c> (the plain response's).</summary>
    public int PromptTokens { get; init; }

    /// <summary>
    /// Largest logprob difference accepted between two runs of the same token. Measured on TinyRandom: up to 2e-3 with
    /// flash attention off, 3.5e-3 with it on (the CPU kernel accumulates V in F16, in an order that follows the cells'
    /// places in the unified cache). Another prompt's generation fails the comparison (the self-check in
    /// <see cref="BatchingCorrectnessTests"/>).
    /// </summary>
    public const double Tolerance = 1e-2;

    public const string LogprobFields = "\"logprobs\":true,\"top_logprobs\":5";

    /// <summary>A greedy chat request to the tiny random model: temperature 0, exactly <paramref name="maxTokens"/>
    /// tokens (<c>ignore_eos</c>).</summary>
    public static string ChatBody(IEnumerable<(string Role, string Content)> messages, int maxTokens) =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["model"] = TinyRandomEngineFactory.TinyModelId,
            ["messages"] = messages.Select(m => new Dictionary<string, string> { ["role"] = m.Role, ["content"] = m.Content }).ToArray(),
            ["temperature"] = 0,
            ["max_tokens"] = maxTokens,
            ["ignore_eos"] = true,
        });

    public static async Task<GreedyTrace> ChatAsync(HttpClient client, string body)
    {
        var response = await client.PostAsync("/v1/chat/completions", Json(WithLogprobs(body)));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {text}");
        var root = JsonDocument.Parse(text).RootElement;
        var choice = root.GetProperty("choices")[0];
        return new GreedyTrace(
            choice.GetProperty("message").GetProperty("content").GetString() ?? "",
            choice.GetProperty("finish_reason").GetString(),
            root.GetProperty("usage").GetProperty("completion_tokens").GetInt32(),
            ReadSteps(choice).ToList())
        {
            CachedTokens = root.GetProperty("usage").TryGetProperty("prompt_tokens_details", out var details)
                ? details.GetProperty("cached_tokens").GetInt32()
                : null,
            PromptTokens = root.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(),
        };
    }

    public static async Task<GreedyTrace> StreamChatAsync(HttpClient client, string body)
    {
        var streamBody = WithLogprobs(body)[..^1] + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
        var response = await client.PostAsync("/v1/chat/completions", Json(streamBody));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sse = (await SseReader.ReadAllAsync(await response.Content.ReadAsStreamAsync())).EnsureWellFormed();
        var text = "";
        string? finish = null;
        int? usage = null;
        var steps = new List<TraceStep>();
        foreach (var data in sse.Data)
        {
            var chunk = JsonDocument.Parse(data).RootElement;
            if (chunk.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object)
            {
                usage = u.GetProperty("completion_tokens").GetInt32();
            }

            text += RealHttp.ContentOf(chunk) ?? "";
            finish = RealHttp.FinishOf(chunk) ?? finish;
            if (chunk.GetProperty("choices").GetArrayLength() > 0)
            {
                steps.AddRange(ReadSteps(chunk.GetProperty("choices")[0]));
            }
        }

        return new GreedyTrace(text, finish, usage, steps);
    }

    /// <summary>
    /// Asserts that <paramref name="actual"/> generated what <paramref name="expected"/> did: the same tokens with the
    /// same logprobs (within <see cref="Tolerance"/>) up to the end, or up to a token where <paramref name="expected"/>'s
    /// top two choices were tied within the tolerance and <paramref name="actual"/> took the other one.
    /// </summary>
    public static void AssertSameUpToTies(GreedyTrace expected, GreedyTrace actual, string label)
    {
        Assert.True(expected.Steps.Count == expected.CompletionTokens, $"{label}: {expected.Steps.Count} logprob entries for {expected.CompletionTokens} tokens");
        Assert.Equal(expected.CompletionTokens, actual.CompletionTokens);
        Assert.Equal(expected.FinishReason, actual.FinishReason);
        var problem = Difference(expected, actual);
        Assert.True(problem is null, $"{label}: {problem}");
    }

    /// <summary>Why <paramref name="actual"/> is not <paramref name="expected"/> up to ties, or null when it is.</summary>
    public static string? Difference(GreedyTrace expected, GreedyTrace actual)
    {
        var count = Math.Min(expected.Steps.Count, actual.Steps.Count);
        for (var i = 0; i < count; i++)
        {
            TraceStep e = expected.Steps[i], a = actual.Steps[i];
            if (e.Token == a.Token)
            {
                if (Math.Abs(e.Logprob - a.Logprob) > Tolerance)
                {
                    return $"token {i} ('{e.Token}') has logprob {e.Logprob} in one run and {a.Logprob} in the other";
                }

                continue;
            }

            // A flip: legitimate only at a tie, where the other run's choice was this run's runner-up by a hair.
            return e.Top.TryGetValue(a.Token, out var theirsInOurs) && e.Logprob - theirsInOurs <= Tolerance
                ? null
                : $"token {i} differs ('{e.Token}' {e.Logprob} vs '{a.Token}' {a.Logprob}) where the first run had no tie; texts '{expected.Text}' and '{actual.Text}'";
        }

        return expected.Text == actual.Text && expected.Steps.Count == actual.Steps.Count
            ? null
            : $"same tokens, different outputs: '{expected.Text}' ({expected.Steps.Count} tokens) and '{actual.Text}' ({actual.Steps.Count})";
    }

    private static string WithLogprobs(string body) => body[..^1] + "," + LogprobFields + "}";

    private static IEnumerable<TraceStep> ReadSteps(JsonElement choice)
    {
        if (!choice.TryGetProperty("logprobs", out var logprobs) || logprobs.ValueKind != JsonValueKind.Object
            || !logprobs.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        foreach (var entry in content.EnumerateArray())
        {
            var top = new Dictionary<string, double>();
            foreach (var alternative in entry.GetProperty("top_logprobs").EnumerateArray())
            {
                top.TryAdd(KeyOf(alternative), alternative.GetProperty("logprob").GetDouble());
            }

            yield return new TraceStep(KeyOf(entry), entry.GetProperty("logprob").GetDouble(), top);
        }
    }

    /// <summary>A token's identity: its bytes (two byte tokens of invalid UTF-8 both read as U+FFFD), else its text.</summary>
    private static string KeyOf(JsonElement token) =>
        token.TryGetProperty("bytes", out var bytes) && bytes.ValueKind == JsonValueKind.Array
            ? string.Join(',', bytes.EnumerateArray().Select(b => b.GetInt32()))
            : token.GetProperty("token").GetString()!;
}
