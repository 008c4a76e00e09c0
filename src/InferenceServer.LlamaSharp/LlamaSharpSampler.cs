using InferenceServer.Core.Engine;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;
using LLama.Native;

namespace InferenceServer.LlamaSharp;

/// <summary>
/// One llama.cpp sampler chain for one sequence, with OpenAI semantics: logit bias, penalties (last 64 tokens),
/// then greedy when temperature &lt;= 0, else top-k (if &gt; 0), top-p (if &lt; 1), min-p (if &gt; 0), temperature and a
/// seeded draw. Stateful (penalty history, RNG): never share between sequences. Engine loop thread only.
/// With a grammar (<see cref="SamplingParameters.Grammar"/>) see <see cref="SampleConstrained"/>.
/// </summary>
public sealed partial class LlamaSharpSampler : ITokenSampler
{
    /// <summary>How many recent tokens the repetition/frequency/presence penalties look at.</summary>
    public const int PenaltyLastN = 64;

    private readonly SafeLLamaContextHandle _context;
    private readonly SafeLLamaSamplerChainHandle _chain;

    internal LlamaSharpSampler(SafeLLamaContextHandle context, LlamaSharpTokenizer tokenizer, SamplingParameters parameters, uint seed,
        LlamaGrammarApi? grammarApi = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _context = context;
        _tokenizer = tokenizer;
        InitGrammar(parameters.Grammar, grammarApi);
        var biases = BuildBiases(tokenizer, parameters);

        var chainParams = LLamaSamplerChainParams.Default();
        chainParams.NoPerf = true;
        _chain = SafeLLamaSamplerChainHandle.Create(chainParams);
        try
        {
            _grammar = _grammarSpec is { IsLazy: false } ? CreateGate(_grammarSpec.Gbnf, _grammarSpec.Root) : null;
            if (biases.Length > 0)
            {
                _chain.AddLogitBias(tokenizer.VocabSize, biases);
            }

            if (parameters.RepetitionPenalty != 1f || parameters.FrequencyPenalty != 0f || parameters.PresencePenalty != 0f)
            {
                _chain.AddPenalties(PenaltyLastN, parameters.RepetitionPenalty, parameters.FrequencyPenalty, parameters.PresencePenalty);
            }

            if (parameters.IsGreedy)
            {
                _chain.AddGreedySampler();
                return;
            }

            if (parameters.TopK > 0) _chain.AddTopK(parameters.TopK);
            if (parameters.TopP < 1f) _chain.AddTopP(parameters.TopP, 1);
            if (parameters.MinP > 0f) _chain.AddMinP(parameters.MinP, 1);
            _chain.AddTemperature(parameters.Temperature);
            _chain.AddDistributionSampler(seed);
        }
        catch
        {
            _chain.Dispose();
            _grammar?.Dispose();
            throw;
        }
    }

    /// <summary>Samples from the logits of batch entry <paramref name="batchIndex"/> of the last decode and accepts
    /// the token into the chain (penalty history); do not accept it again.</summary>
    public int Sample(int batchIndex)
    {
        if (_grammar is not null)
        {
            return SampleConstrained(batchIndex);
        }

        var token = (int)_chain.Sample(_context, batchIndex);
        ObserveLazy(token);
        return token;
    }

    public void Dispose()
    {
        _chain.Dispose();
        _grammar?.Dispose();
    }

    private static LLamaLogitBias[] BuildBiases(LlamaSharpTokenizer tokenizer, SamplingParameters parameters)
    {
        var biases = new Dictionary<int, float>();
        foreach (var (token, bias) in parameters.LogitBias)
        {
            if ((uint)token >= (uint)tokenizer.VocabSize)
            {
                throw InferenceException.Invalid(
                    $"logit_bias names token {token}, but the vocabulary has {tokenizer.VocabSize} tokens.", "logit_bias");
            }

            biases[token] = bias;
        }

        if (parameters.IgnoreEos)
        {
            // llama.cpp's ignore_eos: end-of-generation tokens can never be sampled.
            foreach (var token in tokenizer.EndOfGenerationTokens)
            {
                biases[token] = float.NegativeInfinity;
            }
        }

        return [.. biases.Select(pair => new LLamaLogitBias { Token = pair.Key, Bias = pair.Value })];
    }
}
