using System.Text;
using System.Text.RegularExpressions;
using InferenceServer.Core.Engine;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;
using InferenceServer.LlamaSharp.Tests.Fixtures;

namespace InferenceServer.LlamaSharp.Tests;

/// <summary>Grammar-constrained sampling on a random-weight model (its unconstrained output is byte noise).</summary>
[Collection(ModelCollection.Name)]
public sealed class GrammarSamplerTests(ModelFiles files)
{
    private const string Braced = """root ::= "{" [a-z]{1,6} "}" """;

    [Fact]
    public void Greedy_with_a_grammar_picks_the_argmax_of_the_allowed_tokens()
    {
        using var backend = TestBackends.Create(files.Tiny);
        var prompt = backend.Tokenizer.Tokenize("greedy grammar", false, false);
        Assert.Equal(DecodeStatus.Ok, backend.Prefill(prompt, 0));
        var logits = backend.GetLogits(prompt.Length - 1).ToArray();
        int[] allowed = ['x', 'y', 'z'];
        var expected = allowed.MaxBy(t => logits[t]);
        Assert.NotEqual(expected, TestBackends.ArgMax(logits)); // the grammar changes the pick

        using var sampler = backend.CreateSampler(new SamplingParameters { Temperature = 0, Grammar = new GrammarConstraint("""root ::= [x-z]""") }, 1);

        Assert.Equal(expected, sampler.Sample(prompt.Length - 1));
    }

    [Theory]
    [InlineData(0f, 0, 1f, 0f)]
    [InlineData(1.5f, 0, 1f, 0f)]
    [InlineData(2f, 5, 0.9f, 1.5f)]
    [InlineData(1f, 2, 0.5f, -2f)]
    public void Every_sampling_option_composes_with_the_grammar_and_the_output_ends_where_the_grammar_is_complete(
        float temperature, int topK, float topP, float presence)
    {
        using var backend = TestBackends.Create(files.Tiny);
        for (uint seed = 1; seed <= 6; seed++)
        {
            var parameters = new SamplingParameters
            {
                Temperature = temperature, TopK = topK, TopP = topP, PresencePenalty = presence, FrequencyPenalty = 0.5f,
                RepetitionPenalty = 1.1f, MinP = 0.01f, LogitBias = new Dictionary<int, float> { ['q'] = 5, ['}'] = -3 },
                Grammar = new GrammarConstraint(Braced),
            };
            var (text, endedWithEog) = Run(backend, parameters, seed, (int)seed % 4, $"prompt {seed}", 16);

            Assert.Matches(new Regex("^\\{[a-z]{1,6}\\}$"), text);
            Assert.True(endedWithEog, $"seed {seed}: '{text}' did not end with end-of-generation");
            backend.RemoveSequence((int)seed % 4);
        }
    }

    [Fact]
    public void The_same_seed_reproduces_constrained_output()
    {
        using var backend = TestBackends.Create(files.Tiny);
        var parameters = new SamplingParameters { Temperature = 1.3f, Grammar = new GrammarConstraint("""root ::= [a-z ]{20}""") };

        var first = Run(backend, parameters, 5, 0, "seeded", 24).Text;
        backend.RemoveSequence(0);
        var second = Run(backend, parameters, 5, 1, "seeded", 24).Text;

        Assert.Equal(first, second);
        Assert.Matches(new Regex("^[a-z ]{20}$"), first);
    }

    [Fact]
    public void A_grammar_llama_cpp_cannot_parse_is_an_invalid_request_at_sampler_creation()
    {
        using var backend = TestBackends.Create(files.Tiny);

        var ex = Assert.Throws<InferenceException>(() => backend.CreateSampler(
            new SamplingParameters { Grammar = new GrammarConstraint("root ::= undefined-rule") }, 1));

        Assert.Equal(InferenceErrorKind.InvalidRequest, ex.Kind);
    }

    [Fact]
    public void A_grammar_that_allows_no_candidate_fails_the_sample_cleanly()
    {
        using var backend = TestBackends.Create(files.Tiny);
        // After "a" only end-of-generation is allowed, and ignore_eos bans it: nothing is left.
        var parameters = new SamplingParameters { Temperature = 0, IgnoreEos = true, Grammar = new GrammarConstraint("""root ::= "a" """) };
        var prompt = backend.Tokenizer.Tokenize("fail", false, false);
        Assert.Equal(DecodeStatus.Ok, backend.Prefill(prompt, 0));
        using var sampler = backend.CreateSampler(parameters, 1);
        Assert.Equal('a', sampler.Sample(prompt.Length - 1));
        Assert.Equal(DecodeStatus.Ok, backend.Decode([new BatchToken('a', prompt.Length, 0, true)]));

        var ex = Assert.Throws<InferenceException>(() => sampler.Sample(0));

        Assert.Equal(InferenceErrorKind.InvalidRequest, ex.Kind);
        // The backend still works for the next request.
        backend.RemoveSequence(0);
        Assert.Equal(DecodeStatus.Ok, backend.Prefill(prompt, 1));
    }

    [Fact]
    public void A_lazy_grammar_leaves_text_free_until_its_trigger_then_constrains_from_the_trigger_on()
    {
        using var backend = TestBackends.Create(files.Tiny);
        // Bias towards 'w' then '!' (the trigger); after the trigger only digits may follow, then the end.
        var parameters = new SamplingParameters
        {
            Temperature = 0,
            LogitBias = new Dictionary<int, float> { ['w'] = 30, ['!'] = 25 },
            PresencePenalty = 40,
            Grammar = new GrammarConstraint("""root ::= "!" [0-9] [0-9]""") { LazyTriggers = ["!"] },
        };

        var (text, endedWithEog) = Run(backend, parameters, 1, 0, "lazy", 12);

        Assert.Matches(new Regex("^w!\\d\\d$"), text);
        Assert.True(endedWithEog);
    }

    [Fact]
    public void A_lazy_trigger_inside_a_token_starts_the_grammar_with_that_tokens_earlier_bytes()
    {
        using var backend = TestBackends.Create(files.Tiny);
        // "he" is one token of the tiny vocabulary; the trigger is its second byte.
        var he = backend.Tokenizer.Tokenize("he", false, false);
        Assert.Single(he);
        var parameters = new SamplingParameters
        {
            Temperature = 0,
            LogitBias = new Dictionary<int, float> { [he[0]] = 40 },
            Grammar = new GrammarConstraint("""root ::= "e" [0-9]""") { LazyTriggers = ["e"] },
        };

        var (text, endedWithEog) = Run(backend, parameters, 1, 0, "lazy2", 6);

        Assert.Matches(new Regex("^he\\d$"), text);
        Assert.True(endedWithEog);
    }

    private static (string Text, bool EndedWithEog) Run(IModelBackend backend, SamplingParameters parameters, uint seed, int sequenceId, string promptText, int maxTokens)
    {
        var prompt = backend.Tokenizer.Tokenize(promptText, false, false);
        Assert.Equal(DecodeStatus.Ok, backend.Prefill(prompt, sequenceId));
        using var sampler = backend.CreateSampler(parameters, seed);
        var bytes = new List<byte>();
        var index = prompt.Length - 1;
        var position = prompt.Length;
        for (var i = 0; i < maxTokens; i++)
        {
            var token = sampler.Sample(index);
            if (backend.Tokenizer.IsEndOfGeneration(token))
            {
                return (Encoding.UTF8.GetString(bytes.ToArray()), true);
            }

            bytes.AddRange(backend.Tokenizer.TokenBytes(token));
            Assert.Equal(DecodeStatus.Ok, backend.Decode([new BatchToken(token, position++, sequenceId, true)]));
            index = 0;
        }

        return (Encoding.UTF8.GetString(bytes.ToArray()), false);
    }
}
