using InferenceServer.Core.Generation;
using InferenceServer.OpenAI.Protocol;

namespace InferenceServer.OpenAI.Mapping;

/// <summary>Small engine-to-wire conversions.</summary>
public static class WireValues
{
    /// <summary>Stop -> "stop", Length -> "length"; Cancelled never reaches the wire (null).</summary>
    public static string? FinishReason(FinishReason? reason) => reason switch
    {
        Core.Generation.FinishReason.Stop => "stop",
        Core.Generation.FinishReason.Length => "length",
        _ => null,
    };

    public static UsageDto Usage(Usage usage) => new()
    {
        PromptTokens = usage.PromptTokens,
        CompletionTokens = usage.CompletionTokens,
        TotalTokens = usage.TotalTokens,
        PromptTokensDetails = new PromptTokensDetails(usage.CachedPromptTokens),
    };

    /// <summary>Usage over all choices (index = prompt_i * n + j): completion tokens of every choice, prompt tokens
    /// once per prompt (the n samples of one prompt share it, as OpenAI bills it).</summary>
    public static Usage Sum(IReadOnlyList<Usage?> perChoice, int choicesPerPrompt)
    {
        int prompt = 0, completion = 0, cached = 0;
        for (var i = 0; i < perChoice.Count; i++)
        {
            if (perChoice[i] is not { } u)
            {
                continue;
            }

            completion += u.CompletionTokens;
            if (i % Math.Max(1, choicesPerPrompt) == 0)
            {
                prompt += u.PromptTokens;
                cached += u.CachedPromptTokens;
            }
        }

        return new Usage(prompt, completion, cached);
    }

    public static IReadOnlyList<int> Bytes(byte[] bytes) => Array.ConvertAll(bytes, b => (int)b);
}
