using InferenceServer.Core.Errors;
using LLama.Native;

namespace InferenceServer.LlamaSharp;

/// <summary>
/// One sequence's llama.cpp grammar sampler, used apart from the sampling chain so that every token is checked
/// before it is accepted: llama.cpp aborts the process when a grammar accepts a token it does not allow
/// (end-of-generation before the grammar is complete, a piece that empties its stacks). Engine loop thread only.
/// </summary>
internal sealed class GrammarGate : IDisposable
{
    private readonly SafeLLamaSamplerChainHandle _grammar;
    private readonly LLamaTokenData[] _single = new LLamaTokenData[1];

    private GrammarGate(SafeLLamaSamplerChainHandle grammar) => _grammar = grammar;

    /// <summary>Parses the grammar; a grammar llama.cpp refuses is an invalid request naming it.</summary>
    public static GrammarGate Create(LlamaGrammarApi api, SafeLlamaModelHandle model, string gbnf, string root) =>
        new(api.CreateGrammarChain(model, gbnf, root)
            ?? throw InferenceException.Invalid("The grammar could not be parsed by llama.cpp.", "grammar", "invalid_grammar"));

    /// <summary>Whether the grammar allows <paramref name="token"/> next (end-of-generation only when complete).</summary>
    public bool Allows(int token)
    {
        _single[0] = new LLamaTokenData(token, 0f, 0f);
        using (LLamaTokenDataArrayNative.Create(new LLamaTokenDataArray(_single, true), out var native))
        {
            _grammar.Apply(ref native);
            return !float.IsNegativeInfinity(native.Data[0].Logit);
        }
    }

    /// <summary>Sets the logit of every token the grammar does not allow to -inf.</summary>
    public void Apply(ref LLamaTokenDataArrayNative candidates) => _grammar.Apply(ref candidates);

    /// <summary>Advances the grammar; only for a token <see cref="Allows"/> approved.</summary>
    public void Accept(int token) => _grammar.Accept(token);

    public void Dispose() => _grammar.Dispose();
}
