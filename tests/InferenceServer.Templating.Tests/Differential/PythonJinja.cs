using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace InferenceServer.Templating.Tests.Differential;

/// <summary>One template rendered with one context (a JSON object of variables).</summary>
public sealed record RenderCase(string Id, string Template, JsonObject Context);

/// <summary>What Python jinja2 produced: the text, or the error it raised.</summary>
public sealed record ReferenceResult(bool Ok, string Output, string Error);

/// <summary>
/// Runs Reference/render.py (Python jinja2 configured as transformers configures chat templates) over many cases in
/// one process. Availability (python3 with jinja2) is checked once; tests that need it skip with the reason.
/// </summary>
public static class PythonJinja
{
    private static readonly Lazy<string?> Missing = new(FindProblem);

    /// <summary>Null when python3 and jinja2 can run; else why not.</summary>
    public static string? Unavailable => Missing.Value;

    public static IReadOnlyDictionary<string, ReferenceResult> Render(IEnumerable<RenderCase> cases)
    {
        var request = new JsonObject
        {
            ["cases"] = new JsonArray(cases.Select(c => (JsonNode)new JsonObject
            {
                ["id"] = c.Id,
                ["template"] = c.Template,
                ["context"] = c.Context.DeepClone(),
            }).ToArray()),
        };
        var script = Path.Combine(AppContext.BaseDirectory, "Reference", "render.py");
        var (exitCode, stdout, stderr) = Run("python3", [script], request.ToJsonString());
        if (exitCode != 0) throw new InvalidOperationException($"render.py failed ({exitCode}): {stderr}");
        var results = JsonNode.Parse(stdout)!["results"]!.AsObject();
        return results.ToDictionary(
            p => p.Key,
            p => new ReferenceResult(p.Value!["ok"]!.GetValue<bool>(), p.Value["output"]!.GetValue<string>(), p.Value["error"]!.GetValue<string>()),
            StringComparer.Ordinal);
    }

    private static string? FindProblem()
    {
        try
        {
            var (exitCode, _, stderr) = Run("python3", ["-c", "import jinja2, sys; sys.exit(0 if tuple(int(x) for x in jinja2.__version__.split('.')[:2]) >= (3, 0) else 3)"], "");
            return exitCode == 0 ? null : $"python3 has no jinja2 >= 3.0 (apt-get install python3-jinja2): {stderr.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return $"python3 is not installed (apt-get install python3 python3-jinja2): {ex.Message}";
        }
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(string file, string[] arguments, string stdin)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["PYTHONIOENCODING"] = "utf-8";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>A theory that runs only where python3 with jinja2 is installed (CI installs python3-jinja2).</summary>
public sealed class RequiresJinja2TheoryAttribute : TheoryAttribute
{
    public RequiresJinja2TheoryAttribute()
    {
        if (PythonJinja.Unavailable is { } reason) Skip = reason;
    }
}

/// <summary>A fact that runs only where python3 with jinja2 is installed.</summary>
public sealed class RequiresJinja2FactAttribute : FactAttribute
{
    public RequiresJinja2FactAttribute()
    {
        if (PythonJinja.Unavailable is { } reason) Skip = reason;
    }
}
