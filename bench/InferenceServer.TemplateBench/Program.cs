using System.Diagnostics;
using System.Globalization;
using InferenceServer.Core.Templates;
using InferenceServer.TemplateBench;

// Renders a 20-message conversation with 5 tools through every chat template of a folder (default: the family
// templates of the differential corpus) with the server's own path (JinjaChatTemplate: context building + render),
// after compiling each template once and rendering it for 0.5 s to warm up, and prints per-render times. Usage:
//   dotnet run -c Release --project bench/InferenceServer.TemplateBench [-- --templates DIR --iterations N]
var folder = Argument("--templates") ?? FindCorpus();
var iterations = int.Parse(Argument("--iterations") ?? "2000", CultureInfo.InvariantCulture);
var input = Conversation.Build();
var tokens = new TokenTexts("<s>", "</s>", TokenizerAddsBos: false);

Console.WriteLine($"Chat template render time: {input.Messages.Count} messages, {input.Tools!.Count} tools, {iterations} renders per template after compile and 0.5 s of warm-up");
Console.WriteLine($"templates: {folder}");
Console.WriteLine();
Console.WriteLine($"{"template",-14} {"compile ms",10} {"chars",7} {"median µs",10} {"p99 µs",9} {"mean µs",9}");
var medians = new List<double>();
foreach (var file in Directory.GetFiles(folder, "*.jinja").Order(StringComparer.Ordinal))
{
    var name = Path.GetFileNameWithoutExtension(file);
    var started = Stopwatch.GetTimestamp();
    var template = JinjaChatTemplate.Compile(name, File.ReadAllText(file), null, file, tokens, TimeProvider.System);
    var compileMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    string output;
    try
    {
        output = template.Render(input);
    }
    catch (InferenceServer.Core.Errors.InferenceException ex)
    {
        Console.WriteLine($"{name,-14} {compileMs,10:F2}   raises for this conversation: {ex.Message}");
        continue;
    }

    // Warm up by time, not count: tiered JIT promotes hot methods in the background, and the first template
    // measured would otherwise run on unoptimized code.
    var warmUp = Stopwatch.StartNew();
    while (warmUp.ElapsedMilliseconds < 500) template.Render(input);
    var samples = new double[iterations];
    for (var i = 0; i < iterations; i++)
    {
        var t0 = Stopwatch.GetTimestamp();
        template.Render(input);
        samples[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
    }

    Array.Sort(samples);
    var median = samples[iterations / 2];
    medians.Add(median);
    Console.WriteLine($"{name,-14} {compileMs,10:F2} {output.Length,7} {median,10:F1} {samples[(int)(iterations * 0.99)],9:F1} {samples.Average(),9:F1}");
}

Console.WriteLine();
Console.WriteLine($"slowest median: {medians.Max():F1} µs; median of medians: {medians.Order().ElementAt(medians.Count / 2):F1} µs (target: < 1000 µs)");
return 0;

static string? Argument(string name)
{
    var args = Environment.GetCommandLineArgs();
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

static string FindCorpus()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, "tests", "InferenceServer.Templating.Tests", "Corpus", "families");
        if (Directory.Exists(candidate)) return candidate;
    }

    throw new DirectoryNotFoundException("Could not find tests/InferenceServer.Templating.Tests/Corpus/families; pass --templates DIR.");
}
