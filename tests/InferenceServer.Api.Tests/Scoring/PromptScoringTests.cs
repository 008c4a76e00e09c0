using System.Net;
using System.Text.Json;
using InferenceServer.Api.Tests.RealEngine;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests.Scoring;

/// <summary>Prompt scoring on the real engine (TinyRandom): legacy echo + logprobs + max_tokens 0, and /v1/score.</summary>
public sealed class PromptScoringTests(TinyRandomEngineFactory factory) : IClassFixture<TinyRandomEngineFactory>
{
    private const string Model = TinyRandomEngineFactory.TinyModelId;
    private const string Text = "the cat sat on the mat and looked at the dog";

    [Fact]
    public async Task Echo_with_logprobs_and_max_tokens_0_returns_the_prompt_tokens_with_logprobs_first_null()
    {
        var client = await factory.ReadyClientAsync();
        var tokens = factory.Engine.Tokenizer.Tokenize(Text, addSpecial: true, parseSpecial: true);

        var choice = await CompleteAsync(client, "\"prompt\":" + JsonSerializer.Serialize(Text) + ",\"echo\":true,\"logprobs\":3,\"max_tokens\":0");

        Assert.Equal(Text, choice.GetProperty("text").GetString());
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
        var logprobs = choice.GetProperty("logprobs");
        var values = logprobs.GetProperty("token_logprobs").EnumerateArray().ToList();
        var tops = logprobs.GetProperty("top_logprobs").EnumerateArray().ToList();
        Assert.Equal(tokens.Length, values.Count);
        Assert.Equal(JsonValueKind.Null, values[0].ValueKind);
        Assert.Equal(JsonValueKind.Null, tops[0].ValueKind);
        Assert.All(values.Skip(1), v => Assert.True(v.GetDouble() <= 0));
        // Up to 3 alternatives: OpenAI's token -> logprob map keeps one entry per distinct token text (random weights
        // rank byte tokens that all render as U+FFFD).
        Assert.All(tops.Skip(1), t => Assert.InRange(t.EnumerateObject().Count(), 1, 3));
        Assert.Equal(Text, string.Concat(logprobs.GetProperty("tokens").EnumerateArray().Select(t => t.GetString())));
        var offsets = logprobs.GetProperty("text_offset").EnumerateArray().Select(o => o.GetInt32()).ToList();
        Assert.Equal(0, offsets[0]);
        Assert.True(offsets.SequenceEqual(offsets.Order()));

        // The best alternative is at least as likely as the actual token.
        for (var i = 1; i < values.Count; i++)
        {
            Assert.True(tops[i].EnumerateObject().Max(p => p.Value.GetDouble()) >= values[i].GetDouble() - 1e-6);
        }
    }

    [Fact]
    public async Task Echoed_control_tokens_carry_their_text_so_tokens_join_to_the_prompt()
    {
        var client = await factory.ReadyClientAsync();
        const string prompt = "<|im_start|>user\nhi<|im_end|>\n";
        var choice = await CompleteAsync(client, "\"prompt\":" + JsonSerializer.Serialize(prompt) + ",\"echo\":true,\"logprobs\":0,\"max_tokens\":0");
        var tokens = choice.GetProperty("logprobs").GetProperty("tokens").EnumerateArray().Select(t => t.GetString()).ToList();
        Assert.Equal("<|im_start|>", tokens[0]);
        Assert.Equal(prompt, string.Concat(tokens));
    }

    [Fact]
    public async Task Echo_logprobs_of_a_prompt_continue_with_the_generated_tokens_logprobs()
    {
        var client = await factory.ReadyClientAsync();
        var choice = await CompleteAsync(client, "\"prompt\":" + JsonSerializer.Serialize(Text) + ",\"echo\":true,\"logprobs\":1,\"max_tokens\":4,\"temperature\":0,\"ignore_eos\":true");
        var tokens = factory.Engine.Tokenizer.Tokenize(Text, addSpecial: true, parseSpecial: true);

        var values = choice.GetProperty("logprobs").GetProperty("token_logprobs").EnumerateArray().ToList();
        Assert.Equal(tokens.Length + 4, values.Count);
        Assert.StartsWith(Text, choice.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Score_is_the_mean_negative_logprob_of_the_echoed_prompt()
    {
        var client = await factory.ReadyClientAsync();
        var choice = await CompleteAsync(client, "\"prompt\":" + JsonSerializer.Serialize(Text) + ",\"echo\":true,\"logprobs\":0,\"max_tokens\":0");
        var logprobs = choice.GetProperty("logprobs").GetProperty("token_logprobs").EnumerateArray().Skip(1).Select(v => v.GetDouble()).ToList();

        var score = (await ScoreAsync(client, JsonSerializer.Serialize(Text))).GetProperty("data")[0];

        Assert.Equal(logprobs.Count + 1, score.GetProperty("tokens").GetInt32());
        Assert.Equal(logprobs.Count, score.GetProperty("scored_tokens").GetInt32());
        Assert.Equal(-logprobs.Average(), score.GetProperty("cross_entropy").GetDouble(), 5);
        Assert.Equal("score", score.GetProperty("object").GetString());
    }

    [Fact]
    public async Task A_prompt_whose_prefix_is_cached_is_still_scored_in_full()
    {
        var client = await factory.ReadyClientAsync();
        const string prefix = "a cached conversation start that the next request shares";
        _ = await CompleteAsync(client, "\"prompt\":" + JsonSerializer.Serialize(prefix) + ",\"max_tokens\":2,\"temperature\":0");

        var choice = await CompleteAsync(client, "\"prompt\":" + JsonSerializer.Serialize(prefix + " and goes on") + ",\"echo\":true,\"logprobs\":0,\"max_tokens\":0");
        var values = choice.GetProperty("logprobs").GetProperty("token_logprobs").EnumerateArray().ToList();

        Assert.Equal(JsonValueKind.Null, values[0].ValueKind);
        Assert.All(values.Skip(1), v => Assert.Equal(JsonValueKind.Number, v.ValueKind));
        var usage = (await PostJsonAsync(client, "/v1/completions", "{\"model\":\"" + Model + "\",\"prompt\":" + JsonSerializer.Serialize(prefix + " and goes on") + ",\"echo\":true,\"logprobs\":0,\"max_tokens\":0}")).Body.GetProperty("usage");
        Assert.Equal(0, usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
    }

    [Fact]
    public async Task Many_texts_score_together_as_they_score_alone()
    {
        var client = await factory.ReadyClientAsync();
        string[] texts = ["alpha beta gamma delta", Text, "one two three four five six seven", "x y"];
        var alone = new List<double>();
        foreach (var t in texts)
        {
            alone.Add((await ScoreAsync(client, JsonSerializer.Serialize(t))).GetProperty("data")[0].GetProperty("cross_entropy").GetDouble());
        }

        var together = (await ScoreAsync(client, JsonSerializer.Serialize(texts))).GetProperty("data");

        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(i, together[i].GetProperty("index").GetInt32());
            Assert.Equal(alone[i], together[i].GetProperty("cross_entropy").GetDouble(), 4);
        }
    }

    [Fact]
    public async Task A_long_text_is_scored_in_overlapping_windows_each_token_once()
    {
        var client = await factory.ReadyClientAsync();
        var text = string.Join(" ", Enumerable.Repeat(Text, 12));
        var tokens = factory.Engine.Tokenizer.Tokenize(text, addSpecial: true, parseSpecial: true).Length;

        var root = await ScoreAsync(client, JsonSerializer.Serialize(text), ",\"window\":32,\"stride\":16");
        var whole = (await ScoreAsync(client, JsonSerializer.Serialize(text))).GetProperty("data")[0];
        var windowed = root.GetProperty("data")[0];

        Assert.Equal(32, root.GetProperty("window").GetInt32());
        Assert.Equal(16, root.GetProperty("stride").GetInt32());
        Assert.Equal(tokens - 1, windowed.GetProperty("scored_tokens").GetInt32());
        Assert.Equal((tokens - 32 + 15) / 16 + 1, windowed.GetProperty("windows").GetInt32());
        Assert.Equal(1, whole.GetProperty("windows").GetInt32());
        Assert.NotEqual(whole.GetProperty("cross_entropy").GetDouble(), windowed.GetProperty("cross_entropy").GetDouble());
    }

    [Theory]
    [InlineData("\"input\":\"hello there\",\"window\":8,\"stride\":8", "stride")]
    [InlineData("\"input\":\"hello there\",\"window\":999999", "window")]
    [InlineData("\"input\":[[5]]", "input")]
    [InlineData("\"input\":[]", "input")]
    public async Task Bad_score_requests_are_400(string fields, string param)
    {
        var client = await factory.ReadyClientAsync();
        var (status, body, _) = await PostJsonAsync(client, "/v1/score", "{\"model\":\"" + Model + "\"," + fields + "}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(param, body.GetProperty("error").GetProperty("param").GetString());
    }

    private static async Task<JsonElement> CompleteAsync(HttpClient client, string fields)
    {
        var (status, body, _) = await PostJsonAsync(client, "/v1/completions", "{\"model\":\"" + Model + "\"," + fields + "}");
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        return body.GetProperty("choices")[0];
    }

    private static async Task<JsonElement> ScoreAsync(HttpClient client, string input, string extra = "")
    {
        var (status, body, _) = await PostJsonAsync(client, "/v1/score", "{\"model\":\"" + Model + "\",\"input\":" + input + extra + "}");
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        return body;
    }
}
