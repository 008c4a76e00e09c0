using System.Text;
using InferenceServer.Core.Engine;
using InferenceServer.Core.Errors;

namespace InferenceServer.Api.Limits;

/// <summary>
/// Bounds the tokenizer's work by the context: a text of B UTF-8 bytes has at least B / L tokens when no token
/// stands for more than L bytes (<see cref="ITokenizer.MaxTokenTextBytes"/>), so a text of more than
/// MaxSequenceLength x L bytes cannot fit and is refused before it is templated or tokenized. The test is exact in
/// the direction that matters: a text that could fit is never refused here (the engine's token count decides).
/// </summary>
internal static class PromptSizeGuard
{
    public static void EnsureCanFit(IInferenceEngine engine, IEnumerable<string> texts, string param)
    {
        if (engine.Tokenizer.MaxTokenTextBytes is not { } perToken)
        {
            return;
        }

        var maxTokens = engine.Model.MaxSequenceLength;
        var limit = (long)maxTokens * perToken;
        long bytes = 0;
        foreach (var text in texts)
        {
            // UTF-8 never takes fewer bytes than UTF-16 code units, so the length alone can decide without counting.
            bytes += text.Length > limit ? text.Length : Encoding.UTF8.GetByteCount(text);
            if (bytes > limit)
            {
                var atLeast = (bytes + perToken - 1) / perToken;
                throw new InferenceException(InferenceErrorKind.ContextLengthExceeded,
                    $"This model's maximum context length is {maxTokens} tokens. However, your {param} is at least {atLeast} tokens long ({bytes}+ bytes of text, at most {perToken} bytes per token). Please reduce the length of the {param}.",
                    param, "context_length_exceeded");
            }
        }
    }

    public static void EnsureCanFit(IInferenceEngine engine, string text, string param) => EnsureCanFit(engine, [text], param);

    /// <summary>Token-id prompts: a list as long as the context can never fit (the engine needs prompt &lt; context).</summary>
    public static void EnsureCanFit(IInferenceEngine engine, IReadOnlyList<int> tokens, string param)
    {
        var maxTokens = engine.Model.MaxSequenceLength;
        if (tokens.Count >= maxTokens)
        {
            throw InferenceException.ContextLength(tokens.Count, 0, maxTokens, param);
        }
    }
}
