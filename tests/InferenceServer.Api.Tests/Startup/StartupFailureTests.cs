using System.Diagnostics;
using InferenceServer.Api.Tests.Observability.RealServer;
using InferenceServer.TestKit;

namespace InferenceServer.Api.Tests.Startup;

/// <summary>Bad configuration or a bad model file: one clear critical line, no stack trace, exit code 1.</summary>
public sealed class StartupFailureTests
{
    public static TheoryData<string, string, string> Cases(string garbagePath) => new()
    {
        { "Model__Path", "/definitely/not/here.gguf", "Model:Path '/definitely/not/here.gguf' was not found" },
        { "Model__Path", garbagePath, "is not a GGUF file" },
        { "Engine__MaxSequences", "0", "Engine:MaxSequences must be between 1 and 256" },
        { "Model__Threads", "-2", "Model:Threads must be at least 1" },
        { "PromptTemplates__broken__UserTemplate", "no placeholder", "PromptTemplates:broken:UserTemplate must contain {input}" },
        { "PromptTemplates__jinja__UserTemplate", "{{ input }}{% if context %}", "PromptTemplates:jinja:UserTemplate is not valid Jinja: Unexpected end of template." },
        { "Model__ChatTemplate", "{% for m in messages %}\n{{ m.content }", "The chat template from Model:ChatTemplate is not valid Jinja: Unexpected end of template: missing '}}' (line 2, column 1)" },
    };

    [Fact]
    public async Task Each_bad_start_is_one_critical_line_and_exit_code_1()
    {
        var garbage = Path.Combine(Path.GetTempPath(), $"not-a-model-{Guid.NewGuid():N}.gguf");
        await File.WriteAllTextAsync(garbage, "this is not a GGUF file");
        try
        {
            foreach (var row in Cases(garbage))
            {
                var (key, value, expected) = ((string)row[0], (string)row[1], (string)row[2]);
                var (exitCode, output) = await RunServerAsync(key, value);
                Assert.True(exitCode == 1, $"{key}={value}: exit code {exitCode}\n{output}");
                var critical = output.Split('\n').Where(l => l.Contains(" FTL] ", StringComparison.Ordinal)).ToList();
                Assert.True(critical.Count == 1, $"{key}={value}: expected one critical line\n{output}");
                Assert.Contains(expected, critical[0], StringComparison.Ordinal);
                Assert.DoesNotContain("   at ", output, StringComparison.Ordinal); // no stack trace
                Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
            }
        }
        finally
        {
            File.Delete(garbage);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunServerAsync(string key, string value)
    {
        var dll = ApiBuildOutput.FindDll();
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add("http://127.0.0.1:0");
        info.Environment["Model__Path"] = TestModels.TinyRandom;
        info.Environment["Model__Threads"] = "1";
        info.Environment[key] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{key}={value}: the server did not exit\n{await stdout}{await stderr}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
