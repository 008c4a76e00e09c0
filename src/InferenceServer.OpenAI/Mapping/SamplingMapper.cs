using System.Globalization;
using InferenceServer.Core.Generation;

namespace InferenceServer.OpenAI.Mapping;

/// <summary>Wire sampling fields to <see cref="SamplingParameters"/> (OpenAI defaults: temperature 1, top_p 1).</summary>
public static class SamplingMapper
{
    public sealed record Fields(
        double? Temperature,
        double? TopP,
        double? PresencePenalty,
        double? FrequencyPenalty,
        Dictionary<string, double>? LogitBias,
        long? Seed,
        int? TopK,
        double? MinP,
        double? RepetitionPenalty,
        bool? IgnoreEos,
        GrammarConstraint? Grammar = null);

    /// <summary>The parameters of choice <paramref name="choiceIndex"/>: with a seed, choice i uses seed + i so
    /// that n&gt;1 choices differ but stay reproducible.</summary>
    public static SamplingParameters Map(Fields f, int choiceIndex = 0) => new()
    {
        Temperature = (float)(f.Temperature ?? 1d),
        TopP = (float)(f.TopP ?? 1d),
        PresencePenalty = (float)(f.PresencePenalty ?? 0d),
        FrequencyPenalty = (float)(f.FrequencyPenalty ?? 0d),
        TopK = f.TopK ?? 0,
        MinP = (float)(f.MinP ?? 0d),
        RepetitionPenalty = (float)(f.RepetitionPenalty ?? 1d),
        IgnoreEos = f.IgnoreEos ?? false,
        Seed = f.Seed is { } seed ? unchecked((uint)(seed + choiceIndex)) : null,
        LogitBias = MapLogitBias(f.LogitBias),
        Grammar = f.Grammar,
    };

    /// <summary>Token-id keys (validated as integers) to biases.</summary>
    public static IReadOnlyDictionary<int, float> MapLogitBias(Dictionary<string, double>? bias)
    {
        var result = new Dictionary<int, float>();
        if (bias is null)
        {
            return result;
        }

        foreach (var (key, value) in bias)
        {
            result[int.Parse(key, NumberStyles.None, CultureInfo.InvariantCulture)] = (float)value;
        }

        return result;
    }
}
