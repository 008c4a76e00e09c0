using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;
using LLama.Native;

namespace InferenceServer.LlamaSharp;

/// <summary>
/// Grammar-constrained sampling, as llama.cpp's common sampler does it: the chain (bias, penalties, top-k/p,
/// min-p, temperature, draw; or greedy) picks a token from the full candidates; when the grammar allows it, it is
/// taken (cheap: one candidate checked). Otherwise the grammar masks the full candidate list first and the chain
/// picks again, so the grammar always sees the candidates before top-k/top-p trim them, greedy picks the argmax of
/// the allowed tokens, and end-of-generation is possible only where the grammar is complete. llama.cpp's grammar
/// decodes UTF-8 laxly (overlong forms, surrogates), so a pick that would make the output invalid UTF-8 is refused
/// too and the chain picks again without it: a constrained string's length is then what a JSON parser sees. A token is accepted
/// into the grammar only after it was checked. When no token is allowed the request fails (an
/// <see cref="InferenceException"/>), never the process.
/// </summary>
public sealed partial class LlamaSharpSampler
{
    private readonly LlamaSharpTokenizer _tokenizer;
    private GrammarConstraint? _grammarSpec;
    private LlamaGrammarApi? _grammarApi;
    private GrammarGate? _grammar;
    private LazyGrammarTrigger? _lazy;
    private LLamaTokenData[]? _candidates;
    private readonly Utf8Guard _utf8 = new();

    /// <summary>How many grammar-allowed picks may be refused for breaking UTF-8 before the request fails.</summary>
    private const int MaxRepicks = 32;

    private void InitGrammar(GrammarConstraint? grammar, LlamaGrammarApi? api)
    {
        if (grammar is null)
        {
            return;
        }

        _grammarSpec = grammar;
        _grammarApi = api ?? throw new InvalidOperationException("A grammar needs the llama.cpp grammar API.");
        if (grammar.IsLazy)
        {
            _lazy = new LazyGrammarTrigger(grammar.LazyTriggers);
        }
    }

    private GrammarGate CreateGate(string gbnf, string root) => GrammarGate.Create(_grammarApi!, _context.ModelHandle, gbnf, root);

    private int SampleConstrained(int batchIndex)
    {
        var grammar = _grammar!;
        var logits = _context.GetLogitsIth(batchIndex);
        _candidates ??= new LLamaTokenData[logits.Length];

        var token = PickWithChain(logits, grammar: null, banned: null);
        if (!grammar.Allows(token) || !_utf8.Allows(_tokenizer.TokenBytes(token)))
        {
            HashSet<int>? banned = null;
            for (var attempt = 0; ; attempt++)
            {
                token = PickWithChain(logits, grammar, banned);
                if (grammar.Allows(token) && _utf8.Allows(_tokenizer.TokenBytes(token)))
                {
                    break;
                }

                if (attempt == MaxRepicks)
                {
                    throw InferenceException.Invalid(
                        "No token the model can produce continues the required format here (the grammar allows no candidate, e.g. end-of-generation banned by logit_bias).",
                        "response_format", "grammar_failed");
                }

                (banned ??= []).Add(token);
            }
        }

        _chain.Accept(token);
        if (!_tokenizer.IsEndOfGeneration(token))
        {
            grammar.Accept(token);
            _utf8.Advance(_tokenizer.TokenBytes(token));
        }

        return token;
    }

    /// <summary>Runs the chain over all candidates (masked by <paramref name="grammar"/> first when given).</summary>
    private int PickWithChain(ReadOnlySpan<float> logits, GrammarGate? grammar, HashSet<int>? banned)
    {
        var array = LLamaTokenDataArray.Create(logits, _candidates);
        using (LLamaTokenDataArrayNative.Create(array, out var native))
        {
            if (grammar is not null)
            {
                grammar.Apply(ref native);
                foreach (var token in banned ?? [])
                {
                    native.Data[token].Logit = float.NegativeInfinity; // still in id order: nothing sorted yet
                }

                if (!AnyAllowed(native.Data))
                {
                    throw InferenceException.Invalid(
                        "No token the model can produce continues the required format here (the grammar allows no candidate).",
                        "response_format", "grammar_failed");
                }
            }

            _chain.Apply(ref native);
            return (int)native.Data[checked((int)native.Selected)].ID;
        }
    }

    private static bool AnyAllowed(ReadOnlySpan<LLamaTokenData> data)
    {
        foreach (var candidate in data)
        {
            if (!float.IsNegativeInfinity(candidate.Logit))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Lazy grammar: once a trigger appears, starts the grammar at the token that holds the trigger's
    /// first byte (its bytes before the trigger become a literal prefix of the grammar) and replays the tokens
    /// from there, each checked. If the text already written breaks the grammar, the rest stays unconstrained.</summary>
    private void ObserveLazy(int token)
    {
        if (_lazy is null || _tokenizer.IsEndOfGeneration(token))
        {
            return;
        }

        if (_lazy.Observe(token, _tokenizer.TokenBytes(token)) is not { } match)
        {
            return;
        }

        var replay = _lazy.TokensFrom(match.FirstToken).ToList();
        _lazy = null;
        var spec = _grammarSpec!;
        var gbnf = spec.Gbnf;
        var root = spec.Root;
        if (match.Prefix.Length > 0)
        {
            if (!System.Text.Unicode.Utf8.IsValid(match.Prefix))
            {
                return;
            }

            root = "lazy-trigger-start";
            gbnf += $"\n{root} ::= {Core.Grammar.Gbnf.Literal(System.Text.Encoding.UTF8.GetString(match.Prefix))} {spec.Root}\n";
        }

        var gate = CreateGate(gbnf, root);
        foreach (var replayed in replay)
        {
            if (!gate.Allows(replayed))
            {
                gate.Dispose();
                return;
            }

            gate.Accept(replayed);
        }

        _grammar = gate;
    }
}
