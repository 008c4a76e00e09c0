using System.Globalization;
using System.Text.RegularExpressions;

namespace InferenceServer.Bench.Serving;

/// <summary>
/// Reads this server's engine-step profile from <c>/metrics</c> (<c>inferenceserver_engine_step_time_seconds_total</c>
/// by phase and <c>inferenceserver_engine_decode_steps_total</c>) so each level can print where a step's time went.
/// </summary>
internal sealed partial class EngineProfileProbe(Uri baseAddress)
{
    private readonly HttpClient _http = new() { BaseAddress = baseAddress };

    public async Task<Dictionary<string, double>> ReadAsync()
    {
        var text = await _http.GetStringAsync("metrics");
        var values = new Dictionary<string, double>();
        foreach (var line in text.Split('\n'))
        {
            if (PhaseLine().Match(line) is { Success: true } phase)
            {
                values[phase.Groups[1].Value] = double.Parse(phase.Groups[2].Value, CultureInfo.InvariantCulture);
            }
            else if (StepsLine().Match(line) is { Success: true } steps)
            {
                values["steps"] = double.Parse(steps.Groups[1].Value, CultureInfo.InvariantCulture);
            }
        }

        return values;
    }

    public static string Describe(Dictionary<string, double> before, Dictionary<string, double> after)
    {
        double steps = after.GetValueOrDefault("steps") - before.GetValueOrDefault("steps");
        if (steps <= 0)
        {
            return "no engine profile";
        }

        var parts = after.Keys.Where(k => k != "steps")
            .Select(k => (Phase: k, Ms: 1000 * (after[k] - before.GetValueOrDefault(k)) / steps))
            .OrderByDescending(p => p.Ms)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Phase} {p.Ms:F2}"));
        return string.Create(CultureInfo.InvariantCulture, $"{steps:F0} steps, ms/step: {string.Join(", ", parts)}");
    }

    [GeneratedRegex("""^inferenceserver_engine_step_time_seconds_total\{[^}]*inferenceserver_phase="(\w+)"[^}]*\} ([0-9.eE+-]+)""")]
    private static partial Regex PhaseLine();

    [GeneratedRegex("""^inferenceserver_engine_decode_steps_total(?:\{[^}]*\})? ([0-9.eE+-]+)""")]
    private static partial Regex StepsLine();
}
