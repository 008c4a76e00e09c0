using System.Globalization;

namespace InferenceServer.ModelTools.Cli;

/// <summary>"--name value" / "--flag" options plus positional arguments.</summary>
public sealed class CliOptions
{
    private static readonly HashSet<string> Flags = ["f16", "tied"];
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly List<string> _positional = [];

    public IReadOnlyList<string> Positional => _positional;

    public static CliOptions Parse(IEnumerable<string> args)
    {
        var o = new CliOptions();
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var a = e.Current;
            if (!a.StartsWith("--", StringComparison.Ordinal)) { o._positional.Add(a); continue; }
            var name = a[2..];
            if (Flags.Contains(name)) { o._values[name] = null; continue; }
            if (!e.MoveNext()) throw new CliException($"Option --{name} needs a value.");
            o._values[name] = e.Current;
        }
        return o;
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public string? GetString(string name) => _values.TryGetValue(name, out var v) ? v : null;

    public int GetInt(string name, int fallback)
    {
        if (!_values.TryGetValue(name, out var v)) return fallback;
        return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : throw new CliException($"--{name} needs an integer, got '{v}'.");
    }

    public float GetFloat(string name, float fallback)
    {
        if (!_values.TryGetValue(name, out var v)) return fallback;
        return float.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) ? f : throw new CliException($"--{name} needs a number, got '{v}'.");
    }

    public void RejectUnknown(params string[] known)
    {
        foreach (var k in _values.Keys)
        {
            if (!known.Contains(k)) throw new CliException($"Unknown option --{k}.");
        }
    }
}
