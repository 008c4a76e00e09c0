using System.Net.Http.Json;
using System.Text.Json;
using InferenceServer.Api.Tests.RealEngine;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace InferenceServer.Api.Tests.Templates;

/// <summary>The scripted model with its prompt templates in a JSON file of its own (reloaded on change).</summary>
public sealed class ReloadingTemplatesFactory : RealEngineFactory
{
    public string SettingsFile { get; } = Path.Combine(Path.GetTempPath(), $"prompt-templates-{Guid.NewGuid():N}.json");

    public void WriteTemplates(string templatesJson) => File.WriteAllText(SettingsFile, $$"""{"PromptTemplates": {{templatesJson}}}""");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        WriteTemplates("""{"first": {"UserTemplate": "First: {input}"}}""");
        builder.ConfigureAppConfiguration(config => config.AddJsonFile(SettingsFile, optional: false, reloadOnChange: true));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        File.Delete(SettingsFile);
    }
}

/// <summary>Editing the configuration file changes the template models without a restart; an invalid edit is
/// refused and the previous templates stay in force.</summary>
public sealed class PromptTemplateReloadTests(ReloadingTemplatesFactory factory) : IClassFixture<ReloadingTemplatesFactory>
{
    private async Task<List<string>> ModelIdsAsync()
    {
        var client = await factory.ReadyClientAsync();
        var body = await client.GetFromJsonAsync<JsonElement>("/v1/models");
        return body.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).ToList();
    }

    private async Task<bool> EventuallyAsync(Func<List<string>, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (condition(await ModelIdsAsync())) return true;
            await Task.Delay(100);
        }

        return false;
    }

    [Fact]
    public async Task Edits_to_the_configuration_file_take_effect_without_a_restart()
    {
        Assert.Contains("first", await ModelIdsAsync());

        factory.WriteTemplates("""{"first": {"UserTemplate": "First: {input}"}, "second": {"UserTemplate": "Second: {{ input }}"}}""");
        Assert.True(await EventuallyAsync(ids => ids.Contains("second")), "the added template never appeared");

        var client = await factory.ReadyClientAsync();
        using var response = await client.PostAsync("/apply-template", new StringContent("""{"model":"second","messages":[{"role":"user","content":"x"}]}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Contains("Second: x", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("prompt").GetString(), StringComparison.Ordinal);

        // A broken edit (no input placeholder, bad Jinja) is refused: the last good templates stay.
        factory.WriteTemplates("""{"broken": {"UserTemplate": "{% if %}"}}""");
        await Task.Delay(1500);
        var ids = await ModelIdsAsync();
        Assert.Contains("second", ids);
        Assert.DoesNotContain("broken", ids);

        factory.WriteTemplates("""{"third": {"UserTemplate": "{input}"}}""");
        Assert.True(await EventuallyAsync(ids => ids.Contains("third") && !ids.Contains("first")), "the replaced templates never took effect");
    }
}
