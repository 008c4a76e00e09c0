using System.Text.Json;
using InferenceServer.Api.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace InferenceServer.Api.Tests.Architecture;

/// <summary>
/// The repository-root appsettings.json is the one the server loads: the Api project links it into its output (and
/// from there into this test output), byte for byte, and the running host's configuration carries its values.
/// </summary>
public sealed class AppSettingsTests
{
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "InferenceServer.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("No InferenceServer.sln above " + AppContext.BaseDirectory);
    }

    private static string RootSettingsPath => Path.Combine(RepositoryRoot(), "appsettings.json");

    private static JsonElement RootSettings() => JsonDocument.Parse(File.ReadAllText(RootSettingsPath)).RootElement;

    [Fact]
    public void Build_outputs_carry_a_byte_identical_copy_of_the_root_file()
    {
        var root = File.ReadAllBytes(RootSettingsPath);
        Assert.Equal(root, File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "appsettings.json")));

        // The Api's own output folder, same configuration and framework as this test build (e.g. bin/Debug/net10.0).
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var apiOutput = Path.Combine(RepositoryRoot(), "src", "InferenceServer.Api", "bin", output.Parent!.Name, output.Name, "appsettings.json");
        Assert.True(File.Exists(apiOutput), "missing " + apiOutput);
        Assert.Equal(root, File.ReadAllBytes(apiOutput));
    }

    [Fact]
    public void The_root_file_is_the_only_appsettings_source_in_the_api_project()
    {
        var project = Path.Combine(RepositoryRoot(), "src", "InferenceServer.Api");
        var strays = Directory.EnumerateFiles(project, "appsettings*.json", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(project, p))
            .Where(p => !p.StartsWith("bin", StringComparison.Ordinal) && !p.StartsWith("obj", StringComparison.Ordinal))
            .ToList();
        Assert.Empty(strays);
    }

    [Fact]
    public void The_running_host_sees_the_root_values()
    {
        var file = RootSettings();
        using var factory = new ApiFactory();
        _ = factory.CreateClient();
        var config = factory.Services.GetRequiredService<IConfiguration>();

        Assert.Equal(file.GetProperty("Engine").GetProperty("QueueCapacity").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), config["Engine:QueueCapacity"]);
        Assert.Equal(file.GetProperty("Engine").GetProperty("MaxSequences").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), config["Engine:MaxSequences"]);
        Assert.Equal(file.GetProperty("Model").GetProperty("BatchSize").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), config["Model:BatchSize"]);
        Assert.Equal(file.GetProperty("Model").GetProperty("ContextSize").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), config["Model:ContextSize"]);
        Assert.Equal(file.GetProperty("Model").GetProperty("Path").GetString(), config["Model:Path"]);

        var fileTemplates = file.GetProperty("PromptTemplates").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
        var hostTemplates = config.GetSection("PromptTemplates").GetChildren().Select(c => c.Key).Order(StringComparer.Ordinal).ToArray();
        Assert.NotEmpty(fileTemplates);
        Assert.Equal(fileTemplates, hostTemplates);
        foreach (var name in fileTemplates)
        {
            Assert.Equal(file.GetProperty("PromptTemplates").GetProperty(name).GetProperty("UserTemplate").GetString(), config[$"PromptTemplates:{name}:UserTemplate"]);
        }
    }
}
