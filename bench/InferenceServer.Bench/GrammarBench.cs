using InferenceServer.Core.Generation;
using InferenceServer.Core.Grammar;

namespace InferenceServer.Bench;

/// <summary>
/// Decode speed of one in-process stream with and without grammar-constrained sampling (a typical object schema),
/// run alternately so that both see the same machine load; prints the medians and the cost in percent.
/// </summary>
internal static class GrammarBench
{
    /// <summary>A typical response_format object: strings, an integer, an enum and an array of strings.</summary>
    public const string Schema = """
        {"type":"object","properties":{
          "name":{"type":"string"},"summary":{"type":"string"},"age":{"type":"integer","minimum":0,"maximum":150},
          "status":{"enum":["active","inactive","pending"]},"tags":{"type":"array","items":{"type":"string"}}},
         "required":["name","summary","age","status","tags"],"additionalProperties":false}
        """;

    public static async Task RunAsync(InProcessBench bench, BenchSettings settings, TextWriter log)
    {
        var grammar = new GrammarConstraint(JsonSchemaGrammar.FromSchema(System.Text.Json.Nodes.JsonNode.Parse(Schema)));
        await bench.RunStreamAsync(0, 8);
        await bench.RunStreamAsync(0, 8, grammar);
        var plain = new List<double>();
        var constrained = new List<double>();
        var constrainedTokens = new List<int>();
        for (var i = 0; i < settings.Repeats; i++)
        {
            plain.Add((await bench.RunStreamAsync(i, settings.Tokens)).DecodeTokensPerSecond);
            var result = await bench.RunStreamAsync(i, settings.Tokens, grammar);
            constrained.Add(result.DecodeTokensPerSecond);
            constrainedTokens.Add(result.CompletionTokens);
        }

        var plainMedian = Median(plain);
        var constrainedMedian = Median(constrained);
        log.WriteLine($"free text      : {plainMedian,8:F1} decode tok/s (median of {settings.Repeats}; runs {string.Join(", ", plain.Select(v => v.ToString("F1")))})");
        log.WriteLine($"JSON schema    : {constrainedMedian,8:F1} decode tok/s (median of {settings.Repeats}; runs {string.Join(", ", constrained.Select(v => v.ToString("F1")))}; tokens {string.Join(", ", constrainedTokens)})");
        log.WriteLine($"grammar cost   : {100 * (1 - constrainedMedian / plainMedian),8:F1} % of decode speed");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
