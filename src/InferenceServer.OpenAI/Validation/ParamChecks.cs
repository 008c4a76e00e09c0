using System.Globalization;
using InferenceServer.Core.Errors;

namespace InferenceServer.OpenAI.Validation;

/// <summary>Range and type checks shared by the request validators, with OpenAI's message wording.</summary>
internal static class ParamChecks
{
    public const int MaxStopSequences = 4;
    public const int MaxN = 128;

    public static string Fmt(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    public static void Range(double? value, double min, double max, string param)
    {
        if (value is not { } v)
        {
            return;
        }

        if (double.IsNaN(v) || v < min)
        {
            throw InferenceException.Invalid($"Invalid '{param}': decimal below minimum value. Expected a value >= {Fmt(min)}, but got {Fmt(v)} instead.", param, "decimal_below_min_value");
        }

        if (v > max)
        {
            throw InferenceException.Invalid($"Invalid '{param}': decimal above maximum value. Expected a value <= {Fmt(max)}, but got {Fmt(v)} instead.", param, "decimal_above_max_value");
        }
    }

    public static void Range(long? value, long min, long max, string param)
    {
        if (value is not { } v)
        {
            return;
        }

        if (v < min)
        {
            throw InferenceException.Invalid($"Invalid '{param}': integer below minimum value. Expected a value >= {min}, but got {v} instead.", param, "integer_below_min_value");
        }

        if (v > max)
        {
            throw InferenceException.Invalid($"Invalid '{param}': integer above maximum value. Expected a value <= {max}, but got {v} instead.", param, "integer_above_max_value");
        }
    }

    public static void Model(string? model)
    {
        if (string.IsNullOrWhiteSpace(model))
        {
            throw InferenceException.Invalid("you must provide a model parameter", "model");
        }
    }

    public static void Stop(List<string>? stop)
    {
        if (stop is null)
        {
            return;
        }

        if (stop.Count > MaxStopSequences)
        {
            throw InferenceException.Invalid($"Invalid 'stop': array too long. Expected an array with maximum length {MaxStopSequences}, but got an array with length {stop.Count} instead.", "stop", "array_above_max_length");
        }

        if (stop.Any(string.IsNullOrEmpty))
        {
            throw InferenceException.Invalid("Invalid 'stop': stop sequences must not be empty.", "stop");
        }
    }

    public static void LogitBias(Dictionary<string, double>? bias)
    {
        if (bias is null)
        {
            return;
        }

        foreach (var (key, value) in bias)
        {
            if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                throw InferenceException.Invalid($"Invalid key in 'logit_bias': {key}. Keys must be integer token ids.", "logit_bias");
            }

            if (double.IsNaN(value) || value < -100 || value > 100)
            {
                throw InferenceException.Invalid($"Invalid value for 'logit_bias' at key {key}: expected a value between -100 and 100, but got {Fmt(value)} instead.", "logit_bias");
            }
        }
    }

    public static void Sampling(double? temperature, double? topP, double? presence, double? frequency, int? n, int? topK, double? minP, double? repetitionPenalty)
    {
        Range(temperature, 0, 2, "temperature");
        Range(topP, 0, 1, "top_p");
        Range(presence, -2, 2, "presence_penalty");
        Range(frequency, -2, 2, "frequency_penalty");
        Range(n, 1, MaxN, "n");
        Range(topK, 0, int.MaxValue, "top_k");
        Range(minP, 0, 1, "min_p");
        if (repetitionPenalty is <= 0)
        {
            throw InferenceException.Invalid($"Invalid 'repetition_penalty': expected a value > 0, but got {Fmt(repetitionPenalty.Value)} instead.", "repetition_penalty");
        }
    }

    public static void StreamOptions(bool? stream, object? streamOptions)
    {
        if (streamOptions is not null && stream != true)
        {
            throw InferenceException.Invalid("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options");
        }
    }

    /// <summary>An input list (embeddings, scoring): present, 1 to <paramref name="maxItems"/> items, no empty token list.</summary>
    public static void Inputs(Protocol.PromptInput? input, string param, int maxItems)
    {
        if (input is null)
        {
            throw InferenceException.Invalid($"Missing required parameter: '{param}'.", param, "missing_required_parameter");
        }

        if (input.Count == 0)
        {
            throw InferenceException.Invalid($"Invalid '{param}': empty array. Expected an array with minimum length 1, but got an empty array instead.", param, "empty_array");
        }

        if (input.Count > maxItems)
        {
            throw InferenceException.Invalid($"Invalid '{param}': array too long. Expected an array with maximum length {maxItems}, but got an array with length {input.Count} instead.", param, "array_above_max_length");
        }

        if (input.TokenLists is { } lists && lists.Any(l => l.Count == 0))
        {
            throw InferenceException.Invalid($"Invalid '{param}': token arrays must not be empty.", param, "empty_array");
        }
    }

    /// <summary>Beam search fields (vLLM's): beam search when use_beam_search is true or beam_width &gt; 1; then
    /// n &lt;= beam_width and no streaming (the best beam is only known at the end).</summary>
    public static void BeamSearch(bool? useBeamSearch, int? beamWidth, double? lengthPenalty, int? n, bool? stream)
    {
        Range(beamWidth, 1, 256, "beam_width");
        Range(lengthPenalty, -10, 10, "length_penalty");
        if (!Mapping.BeamSearchMapper.IsBeamSearch(useBeamSearch, beamWidth))
        {
            return;
        }

        if (stream == true)
        {
            throw InferenceException.Invalid("Streaming is not supported with beam search: the best beams are only known when the search ends.", "stream", "unsupported_parameter");
        }

        var width = Mapping.BeamSearchMapper.Width(beamWidth, n);
        if ((n ?? 1) > width)
        {
            throw InferenceException.Invalid($"n ({n}) must not exceed beam_width ({width}).", "n");
        }
    }

    public static InferenceException Unsupported(string what, string param) =>
        InferenceException.Invalid($"{what} is not supported by this server.", param, "unsupported_parameter");
}
