using InferenceServer.Core.Engine;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;
using InferenceServer.LlamaSharp.Tests.Fixtures;

namespace InferenceServer.LlamaSharp.Tests;

[Collection(ModelCollection.Name)]
public sealed class LlamaSharpSamplerTests(ModelFiles files)
{
    private static readonly SamplingParameters Greedy = new() { Temperature = 0 };

    [Fact]
    public void Greedy_picks_the_argmax()
    {
        using var backend = TestBackends.Create(files.Tiny);
        var prompt = backend.Tokenizer.Tokenize("greedy", false, false);
        using var sampler = backend.CreateSampler(Greedy, seed: 1);

        var tokens = Generate(backend, sampler, prompt, sequenceId: 0, count: 12, out var argmaxes);

        Assert.Equal(argmaxes, tokens);
    }

    [Fact]
    public void The_same_seed_reproduces_a_sampled_continuation_and_another_seed_does_not()
    {
        using var backend = TestBackends.Create(files.Tiny);
        var prompt = backend.Tokenizer.Tokenize("sample", false, false);
        var hot = new SamplingParameters { Temperature = 1.5f };

        int[] Run(uint seed, int sequence)
        {
            using var sampler = backend.CreateSampler(hot, seed);
            var result = Generate(backend, sampler, prompt, sequence, count: 24, out _);
            backend.RemoveSequence(sequence);
            return result;
        }

        var first = Run(42, 0);
        var second = Run(42, 1);
        var other = Run(7, 2);

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void A_logit_bias_of_minus_100_bans_the_favourite_token()
    {
        using var backend = TestBackends.Create(files.Tiny);
        var prompt = backend.Tokenizer.Tokenize("bias", false, false);
        Assert.Equal(DecodeStatus.Ok, backend.Prefill(prompt, 0));
        var favourite = TestBackends.ArgMax(backend.GetLogits(prompt.Length - 1));

        using var plain = backend.CreateSampler(Greedy, 1);
        using var biased = backend.CreateSampler(Greedy with { LogitBias = new Dictionary<int, float> { [favourite] = -100 } }, 1);

        Assert.Equal(favourite, plain.Sample(prompt.Length - 1));
        Assert.NotEqual(favourite, biased.Sample(prompt.Length - 1));
    }

    [Fact]
    public void A_positive_logit_bias_forces_a_token()
    {
        using var backend = TestBackends.Create(files.Tiny);
        var prompt = backend.Tokenizer.Tokenize("force", false, false);
        Assert.Equal(DecodeStatus.Ok, backend.Prefill(prompt, 0));

        using var sampler = backend.CreateSampler(new SamplingParameters { Temperature = 1, LogitBias = new Dictionary<int, float> { ['q'] = 100 } }, 3);

        Assert.Equal('q', sampler.Sample(prompt.Length - 1));
    }

    [Fact]
    public void Ignore_eos_bans_end_of_generation_tokens()
    {
        using var backend = TestBackends.Create(files.Tiny);
        var prompt = backend.Tokenizer.Tokenize("eos", false, false);
        Assert.Equal(DecodeStatus.Ok, backend.Prefill(prompt, 0));
        var forceEos = new Dictionary<int, float> { [TinyGguf.ImEndId] = 100, [TinyGguf.EndOfTextId] = 100 };

        using var normal = backend.CreateSampler(Greedy with { LogitBias = forceEos }, 1);
        using var ignoring = backend.CreateSampler(Greedy with { LogitBias = forceEos, IgnoreEos = true }, 1);

        Assert.True(backend.Tokenizer.IsEndOfGeneration(normal.Sample(prompt.Length - 1)));
        Assert.False(backend.Tokenizer.IsEndOfGeneration(ignoring.Sample(prompt.Length - 1)));
    }

    [Fact]
    public void A_strong_repetition_penalty_avoids_the_previous_token()
    {
        using var backend = TestBackends.Create(files.Tiny);
        var prompt = backend.Tokenizer.Tokenize("penalty", false, false);
        // Bias one token so greedy would pick it every time; the presence penalty then pushes it down after use.
        var bias = new Dictionary<int, float> { ['k'] = 20 };
        using var plain = backend.CreateSampler(Greedy with { LogitBias = bias }, 1);
        using var penalized = backend.CreateSampler(Greedy with { LogitBias = bias, PresencePenalty = 50 }, 1);

        var a = Generate(backend, plain, prompt, 0, 4, out _);
        var b = Generate(backend, penalized, prompt, 1, 4, out _);

        Assert.All(a, t => Assert.Equal('k', t));
        Assert.Equal('k', b[0]);
        Assert.NotEqual('k', b[1]);
    }

    [Fact]
    public void Out_of_range_logit_bias_tokens_are_an_invalid_request()
    {
        using var backend = TestBackends.Create(files.Tiny);

        var ex = Assert.Throws<InferenceException>(() => backend.CreateSampler(
            Greedy with { LogitBias = new Dictionary<int, float> { [TinyGguf.VocabSize] = 1 } }, 1));

        Assert.Equal(InferenceErrorKind.InvalidRequest, ex.Kind);
        Assert.Equal("logit_bias", ex.Param);
    }

    [Fact]
    public void Top_k_of_one_is_greedy_even_at_high_temperature()
    {
        using var backend = TestBackends.Create(files.Tiny);
        var prompt = backend.Tokenizer.Tokenize("topk", false, false);
        using var sampler = backend.CreateSampler(new SamplingParameters { Temperature = 5, TopK = 1 }, 99);

        var tokens = Generate(backend, sampler, prompt, 0, 8, out var argmaxes);

        Assert.Equal(argmaxes, tokens);
    }

    /// <summary>Decodes the prompt, then samples and feeds back <paramref name="count"/> tokens; also returns the
    /// argmax of the logits each token was sampled from.</summary>
    private static int[] Generate(IModelBackend backend, ITokenSampler sampler, int[] prompt, int sequenceId, int count, out int[] argmaxes)
    {
        Assert.Equal(DecodeStatus.Ok, backend.Prefill(prompt, sequenceId));
        var index = prompt.Length - 1;
        var position = prompt.Length;
        var tokens = new int[count];
        argmaxes = new int[count];
        for (var i = 0; i < count; i++)
        {
            argmaxes[i] = TestBackends.ArgMax(backend.GetLogits(index));
            tokens[i] = sampler.Sample(index);
            Assert.Equal(DecodeStatus.Ok, backend.Decode([new BatchToken(tokens[i], position++, sequenceId, true)]));
            index = 0;
        }

        return tokens;
    }
}
