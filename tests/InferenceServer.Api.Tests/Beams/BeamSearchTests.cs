using System.Net;
using System.Text.Json;
using InferenceServer.Api.Tests.RealEngine;
using InferenceServer.TestKit;
using Xunit.Abstractions;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests.Beams;

/// <summary>TinyRandom with 40 sequence slots (beams take one each).</summary>
public sealed class WideTinyRandomEngineFactory : RealEngineFactory
{
    public WideTinyRandomEngineFactory()
        : base(new RealEngineSettings(TestModels.TinyRandom, TinyRandomEngineFactory.TinyModelId, ContextSize: 8192, MaxSequences: 40, QueueCapacity: 64))
    {
    }
}

/// <summary>Beam search on the real engine (random weights: arbitrary but deterministic text through real attention).</summary>
public sealed class BeamSearchTests(WideTinyRandomEngineFactory factory, ITestOutputHelper output) : IClassFixture<WideTinyRandomEngineFactory>
{
    private const string Model = TinyRandomEngineFactory.TinyModelId;
    private static readonly string[] Prompts =
    [
        "the cat", "a dog ran", "one two three", "hello world", "in the beginning", "x", "numbers 1 2 3", "the end of the story",
        "she said", "it was", "over the hill", "blue sky", "we went to", "rain falls", "open the door", "good morning",
    ];

    [Fact]
    public async Task Beam_width_1_equals_greedy()
    {
        var client = await factory.ReadyClientAsync();
        foreach (var prompt in Prompts.Take(8))
        {
            var greedy = await CompleteAsync(client, prompt, "\"max_tokens\":12,\"temperature\":0");
            var beamNoPenalty = await CompleteAsync(client, prompt, "\"max_tokens\":12,\"beam_width\":1,\"use_beam_search\":true,\"length_penalty\":0");
            var beamIgnoreEos = await CompleteAsync(client, prompt, "\"max_tokens\":12,\"use_beam_search\":true,\"beam_width\":1,\"ignore_eos\":true");
            var greedyIgnoreEos = await CompleteAsync(client, prompt, "\"max_tokens\":12,\"temperature\":0,\"ignore_eos\":true");

            Assert.Equal(Text(greedy, 0), Text(beamNoPenalty, 0));
            Assert.Equal(Text(greedyIgnoreEos, 0), Text(beamIgnoreEos, 0));
        }
    }

    [Fact]
    public async Task Stop_strings_end_beams_as_they_end_greedy_text()
    {
        var client = await factory.ReadyClientAsync();
        foreach (var prompt in Prompts.Take(6))
        {
            var greedy = await CompleteAsync(client, prompt, "\"max_tokens\":16,\"temperature\":0,\"ignore_eos\":true,\"stop\":[\" \"]");
            var beam = await CompleteAsync(client, prompt, "\"max_tokens\":16,\"use_beam_search\":true,\"beam_width\":1,\"length_penalty\":0,\"ignore_eos\":true,\"stop\":[\" \"]");
            var wide = await CompleteAsync(client, prompt, "\"max_tokens\":16,\"use_beam_search\":true,\"beam_width\":4,\"n\":4,\"ignore_eos\":true,\"stop\":[\" \"]");

            Assert.Equal(Text(greedy, 0), Text(beam, 0));
            Assert.All(wide.GetProperty("choices").EnumerateArray(), c => Assert.DoesNotContain(" ", c.GetProperty("text").GetString()));
        }
    }

    [Fact]
    public async Task Chat_beam_search_returns_n_beams_in_score_order_with_cumulative_logprobs()
    {
        var client = await factory.ReadyClientAsync();
        var (status, body, _) = await PostJsonAsync(client, "/v1/chat/completions",
            "{\"model\":\"" + Model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":8,\"use_beam_search\":true,\"beam_width\":6,\"n\":4,\"length_penalty\":0,\"logprobs\":true}");
        Assert.True(status == HttpStatusCode.OK, body.ToString());

        var choices = body.GetProperty("choices").EnumerateArray().ToList();
        Assert.Equal(4, choices.Count);
        var cumulative = choices.Select(c => c.GetProperty("cumulative_logprob").GetDouble()).ToList();
        Assert.True(cumulative.SequenceEqual(cumulative.OrderDescending()), string.Join(", ", cumulative));
        foreach (var choice in choices.Where(c => c.GetProperty("finish_reason").GetString() == "length"))
        {
            // Without an end-of-generation token, the cumulative logprob is the sum of the returned token logprobs.
            var sum = choice.GetProperty("logprobs").GetProperty("content").EnumerateArray().Sum(t => t.GetProperty("logprob").GetDouble());
            Assert.Equal(choice.GetProperty("cumulative_logprob").GetDouble(), sum, 3);
        }

        var usage = body.GetProperty("usage");
        Assert.True(usage.GetProperty("completion_tokens").GetInt32() > 0);
    }

    [Fact]
    public async Task The_same_beam_request_gives_the_same_beams_alone_and_under_load()
    {
        var client = await factory.ReadyClientAsync();
        const string fields = "\"max_tokens\":10,\"use_beam_search\":true,\"beam_width\":4,\"n\":3";
        var alone = await CompleteAsync(client, "the old house", fields);

        var load = Enumerable.Range(0, 12).Select(i => CompleteAsync(client, Prompts[i], i % 2 == 0
            ? "\"max_tokens\":40,\"temperature\":0.9,\"seed\":" + i
            : "\"max_tokens\":8,\"use_beam_search\":true,\"beam_width\":3")).ToList();
        var underLoad = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => CompleteAsync(client, "the old house", fields)));
        await Task.WhenAll(load);

        foreach (var result in underLoad)
        {
            for (var i = 0; i < 3; i++)
            {
                // The same beams; their logprobs differ in the 4th decimal because llama.cpp's CPU kernels round
                // differently for other batch shapes (docs/language-model-tools.md).
                Assert.Equal(Text(alone, i), Text(result, i));
                Assert.Equal(Cumulative(alone, i), Cumulative(result, i), tolerance: 1e-2);
            }
        }

        await factory.WaitForIdleSlotsAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_wide_beam_on_a_four_token_vocabulary_finds_the_exhaustive_best()
    {
        var client = await factory.ReadyClientAsync();
        var tokenizer = factory.Engine.Tokenizer;
        var words = new[] { " the", " a", " and", " of", " to", " in", " it", " is" }
            .Select(w => tokenizer.Tokenize(w, addSpecial: false, parseSpecial: false)).Where(t => t.Length == 1).Select(t => t[0]).Distinct().Take(3).ToArray();
        var eos = tokenizer.Tokenize("<|endoftext|>", addSpecial: false, parseSpecial: true).Single();
        Assert.True(tokenizer.IsEndOfGeneration(eos));
        int[] allowed = [.. words, eos];
        var bias = string.Join(",", Enumerable.Range(0, tokenizer.VocabSize).Where(t => !allowed.Contains(t)).Select(t => $"\"{t}\":-100"));
        const int maxTokens = 3;

        foreach (var prompt in Prompts.Take(4))
        {
            foreach (var lengthPenalty in new[] { 0.0, 1.0 })
            {
                var promptTokens = tokenizer.Tokenize(prompt, addSpecial: true, parseSpecial: true);
                var exhaustive = await ExhaustiveAsync(client, promptTokens, words, eos, maxTokens, lengthPenalty);
                var beam = await CompleteAsync(client, prompt, $"\"max_tokens\":{maxTokens},\"use_beam_search\":true,\"beam_width\":36,\"length_penalty\":{lengthPenalty},\"logit_bias\":{{{bias}}}");

                output.WriteLine($"{prompt} lp={lengthPenalty}: exhaustive [{string.Join(",", exhaustive.Tokens)}] {exhaustive.Cumulative:F5}, beam '{Text(beam, 0)}' {Cumulative(beam, 0):F5}");
                Assert.Equal(tokenizer.Detokenize(exhaustive.Tokens), Text(beam, 0));
                // Same tokens; the logprobs come from differently shaped batches (prefill of 52 scoring prompts vs one
                // beam step), whose rounding in llama.cpp's CPU kernels differs by ~1e-4 per token.
                Assert.Equal(exhaustive.Cumulative, Cumulative(beam, 0), tolerance: 5e-3);
            }
        }
    }

    [Fact]
    public async Task Best_beam_log_probability_is_at_least_greedys_on_nearly_all_prompts()
    {
        var client = await factory.ReadyClientAsync();
        int atLeast = 0;
        foreach (var prompt in Prompts)
        {
            var greedy = await CompleteAsync(client, prompt, "\"max_tokens\":8,\"temperature\":0,\"ignore_eos\":true,\"logprobs\":0");
            var beam = await CompleteAsync(client, prompt, "\"max_tokens\":8,\"use_beam_search\":true,\"beam_width\":4,\"ignore_eos\":true,\"length_penalty\":0");
            var greedyTotal = greedy.GetProperty("choices")[0].GetProperty("logprobs").GetProperty("token_logprobs").EnumerateArray().Sum(v => v.GetDouble());
            if (Cumulative(beam, 0) >= greedyTotal - 1e-3)
            {
                atLeast++;
            }
        }

        output.WriteLine($"best beam >= greedy on {atLeast} of {Prompts.Length} prompts");
        Assert.True(atLeast >= Prompts.Length * 9 / 10, $"best beam >= greedy on only {atLeast} of {Prompts.Length} prompts");
    }

    [Fact]
    public async Task A_client_that_goes_away_frees_every_beam_slot()
    {
        var client = await factory.ReadyClientAsync();
        using var cancel = new CancellationTokenSource();
        var request = client.PostAsync("/v1/completions",
            Json("{\"model\":\"" + Model + "\",\"prompt\":\"long\",\"max_tokens\":2000,\"use_beam_search\":true,\"beam_width\":8,\"ignore_eos\":true,\"length_penalty\":1}"),
            cancel.Token);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (factory.Engine.GetSnapshot().Slots.Count(s => s.State == Core.Engine.SlotState.Generating) < 8)
        {
            Assert.True(DateTime.UtcNow < deadline, "the beams never all generated");
            await Task.Delay(10);
        }

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        await factory.WaitForIdleSlotsAsync(TimeSpan.FromSeconds(10));

        var after = await CompleteAsync(client, "after", "\"max_tokens\":4,\"use_beam_search\":true,\"beam_width\":40,\"n\":2");
        Assert.Equal(2, after.GetProperty("choices").GetArrayLength());
    }

    [Theory]
    [InlineData("\"use_beam_search\":true,\"stream\":true", "stream")]
    [InlineData("\"use_beam_search\":true,\"beam_width\":2,\"n\":3", "n")]
    [InlineData("\"beam_width\":41", "beam_width")]
    [InlineData("\"beam_width\":300", "beam_width")]
    public async Task Invalid_beam_requests_are_400(string fields, string param)
    {
        var client = await factory.ReadyClientAsync();
        var (status, body, _) = await PostJsonAsync(client, "/v1/completions", "{\"model\":\"" + Model + "\",\"prompt\":\"hi\"," + fields + "}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(param, body.GetProperty("error").GetProperty("param").GetString());
    }

    /// <summary>Every sequence of at most <paramref name="maxTokens"/> allowed tokens (ended by end-of-generation or
    /// by the limit), scored from the server's own prompt logprobs renormalized over the allowed tokens (what the
    /// logit bias leaves of the distribution); the best by cumulative / length^lp.</summary>
    private static async Task<(int[] Tokens, double Cumulative)> ExhaustiveAsync(HttpClient client, int[] prompt, int[] words, int eos, int maxTokens, double lengthPenalty)
    {
        var prefixes = new List<int[]> { Array.Empty<int>() };
        for (var depth = 1; depth < maxTokens; depth++)
        {
            prefixes.AddRange(prefixes.Where(p => p.Length == depth - 1).SelectMany(p => words.Select(w => (int[])[.. p, w])).ToList());
        }

        int[] allowed = [.. words, eos];
        var prompts = prefixes.SelectMany(p => allowed.Select(a => (int[])[.. prompt, .. p, a])).ToList();
        var (status, body, _) = await PostJsonAsync(client, "/v1/completions",
            "{\"model\":\"" + Model + "\",\"prompt\":" + JsonSerializer.Serialize(prompts) + ",\"echo\":true,\"logprobs\":0,\"max_tokens\":0}");
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        var raw = body.GetProperty("choices").EnumerateArray()
            .Select(c => c.GetProperty("logprobs").GetProperty("token_logprobs").EnumerateArray().Last().GetDouble()).ToList();
        var next = new Dictionary<string, Dictionary<int, double>>();
        for (var i = 0; i < prefixes.Count; i++)
        {
            var values = allowed.Select((a, j) => raw[i * allowed.Length + j]).ToArray();
            var z = Math.Log(values.Sum(Math.Exp));
            next[string.Join(",", prefixes[i])] = allowed.Select((a, j) => (a, values[j] - z)).ToDictionary(x => x.a, x => x.Item2);
        }

        double Score(double cumulative, int length) => lengthPenalty == 0 ? cumulative : cumulative / Math.Pow(Math.Max(1, length), lengthPenalty);
        (int[] Tokens, double Cumulative, double Score) best = ([], 0, double.NegativeInfinity);
        foreach (var p in prefixes)
        {
            var cumulative = 0.0;
            for (var k = 0; k < p.Length; k++)
            {
                cumulative += next[string.Join(",", p[..k])][p[k]];
            }

            var lp = next[string.Join(",", p)];
            Consider(p, cumulative + lp[eos]);
            if (p.Length == maxTokens - 1)
            {
                foreach (var w in words)
                {
                    Consider([.. p, w], cumulative + lp[w]);
                }
            }
        }

        return (best.Tokens, best.Cumulative);

        void Consider(int[] tokens, double cumulative)
        {
            var score = Score(cumulative, tokens.Length);
            if (score > best.Score)
            {
                best = (tokens, cumulative, score);
            }
        }
    }

    private static async Task<JsonElement> CompleteAsync(HttpClient client, string prompt, string fields)
    {
        var (status, body, _) = await PostJsonAsync(client, "/v1/completions", "{\"model\":\"" + Model + "\",\"prompt\":" + JsonSerializer.Serialize(prompt) + "," + fields + "}");
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        return body;
    }

    private static string Text(JsonElement body, int choice) => body.GetProperty("choices")[choice].GetProperty("text").GetString()!;

    private static double Cumulative(JsonElement body, int choice) => body.GetProperty("choices")[choice].GetProperty("cumulative_logprob").GetDouble();
}
