using InferenceServer.Api.Tests.Observability.RealServer;
using InferenceServer.TestKit;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace InferenceServer.Api.Tests.Web;

/// <summary>The chat page at / in a real browser (Debian's chromium driven by Playwright) against the real server
/// process and the real engine.</summary>
public sealed class ChatPageBrowserTests(ITestOutputHelper output)
{
    private const string SlowModelId = "browser";

    private static Task<BrowserSession> OpenSlowAsync(Dictionary<string, string>? more = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Model__Path"] = TestModels.SlowRandom,
            ["Model__Id"] = SlowModelId,
            ["Engine__MaxSequences"] = "2",
        };
        foreach (var (k, v) in more ?? [])
        {
            settings[k] = v;
        }

        return BrowserSession.OpenAsync(settings);
    }

    [RequiresChromiumFact]
    public async Task A_question_streams_in_with_several_visible_updates_and_timing_figures()
    {
        await using var session = await OpenSlowAsync();
        var page = session.Page;
        await session.WaitForModelsAsync();
        var options = await page.EvalOnSelectorAllAsync<string[]>("#model option", "os => os.map(o => o.textContent)");
        Assert.Contains(SlowModelId, options);
        Assert.Contains(options, o => o.StartsWith(SlowModelId + " · ", StringComparison.Ordinal)); // the template models

        // Record every text the answer shows while it streams (a MutationObserver sees each DOM update).
        await page.EvaluateAsync("""
            () => {
              window.__seen = [];
              new MutationObserver(() => {
                const a = document.querySelector('.message.assistant .text');
                if (a && a.textContent && window.__seen[window.__seen.length - 1] !== a.textContent) window.__seen.push(a.textContent);
              }).observe(document.querySelector('#messages'), { subtree: true, childList: true, characterData: true });
            }
            """);
        await session.AskAsync("Tell me a long story.", temperature: 0, maxTokens: 48);
        await page.WaitForSelectorAsync(".message.assistant[data-done='true']");

        var seen = await page.EvaluateAsync<string[]>("() => window.__seen");
        var final = await page.TextContentAsync(".message.assistant .text");
        output.WriteLine($"{seen.Length} visible updates; stats: {await page.TextContentAsync("#stats")}");
        Assert.True(seen.Length >= 3, $"only {seen.Length} visible updates");
        Assert.All(seen, s => Assert.StartsWith(s, final, StringComparison.Ordinal)); // each update a prefix of the answer
        var stats = await page.TextContentAsync("#stats");
        Assert.Contains("TTFT", stats);
        Assert.Contains("tokens/s", stats);
        Assert.Contains("finish:", stats);
        Assert.True(await page.IsHiddenAsync("#error"));
    }

    [RequiresChromiumFact]
    public async Task Stop_cancels_the_request_on_the_server_and_frees_the_slot()
    {
        await using var session = await OpenSlowAsync();
        var page = session.Page;
        await session.WaitForModelsAsync();

        await session.AskAsync("Tell me a very long story.", temperature: 0, maxTokens: 1900);
        await page.WaitForFunctionAsync("() => (document.querySelector('.message.assistant .text')?.textContent ?? '').length > 0");
        Assert.Equal(1, await session.RunningGaugeAsync());

        await page.ClickAsync("#stop");
        await page.WaitForSelectorAsync(".message.assistant[data-done='stopped']");
        Assert.Contains("stopped", await page.TextContentAsync(".message.assistant .meta"));

        var deadline = DateTime.UtcNow.AddSeconds(15);
        double running;
        while ((running = await session.RunningGaugeAsync()) != 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(0, running);
        Assert.True(await page.IsVisibleAsync("#send"));
    }

    [RequiresChromiumFact]
    public async Task Errors_are_shown_and_the_api_key_field_unlocks_the_server()
    {
        await using var session = await OpenSlowAsync(new Dictionary<string, string> { ["Security__ApiKeys__0"] = "sk-browser-test" });
        var page = session.Page;

        // Keys are on and the page has none: the 401 is shown, with what to do.
        await page.WaitForSelectorAsync("#error:not([hidden])");
        Assert.Contains("401", await page.TextContentAsync("#error"));
        Assert.Contains("API key", await page.TextContentAsync("#error"));

        await page.FillAsync("#api-key", "sk-browser-test");
        await page.DispatchEventAsync("#api-key", "change");
        await session.WaitForModelsAsync();
        Assert.True(await page.IsHiddenAsync("#error"));

        // A request the server refuses (max_tokens beyond the context) shows the server's message.
        await session.AskAsync("Hello", temperature: 0, maxTokens: 30000);
        await page.WaitForSelectorAsync("#error:not([hidden])");
        Assert.Contains("context length", await page.TextContentAsync("#error"));

        // The key is remembered by the browser.
        await page.ReloadAsync();
        await session.WaitForModelsAsync();
        Assert.Equal("sk-browser-test", await page.InputValueAsync("#api-key"));
    }

    /// <summary>The shipped default model answering through the page; the screenshot goes to docs/img when
    /// INFERENCESERVER_SCREENSHOT_DIR is set (README), and to the test output folder always.</summary>
    [RequiresChromiumFact]
    public async Task The_default_model_answers_through_the_page_on_a_phone_sized_screen_too()
    {
        var model = Path.Combine(Path.GetDirectoryName(ApiBuildOutput.FindDll())!, "models", "default.gguf");
        await using var session = await BrowserSession.OpenAsync(new Dictionary<string, string> { ["Model__Path"] = model, ["Model__Id"] = "default" }, 1100, 720);
        var page = session.Page;
        await session.WaitForModelsAsync();

        await session.AskAsync("What is 37 + 48?", temperature: 0, maxTokens: 32);
        await page.WaitForSelectorAsync(".message.assistant[data-done='true']");
        Assert.Contains("85", await page.TextContentAsync(".message.assistant .text"));
        await session.AskAsync("Reverse the word \"garden\".", temperature: 0, maxTokens: 32);
        await page.WaitForFunctionAsync("() => document.querySelectorAll(\".message.assistant[data-done='true']\").length === 2");
        await SaveScreenshotAsync(page, "chat-page.png");

        // Phone width: one column, the composer still usable.
        await page.SetViewportSizeAsync(390, 780);
        Assert.True(await page.IsVisibleAsync("#prompt"));
        Assert.True(await page.IsVisibleAsync("#send"));
        var box = await page.Locator("#prompt").BoundingBoxAsync();
        Assert.True(box is not null && box.X + box.Width <= 390, "the prompt box fits a 390 px wide screen");
    }

    private static async Task SaveScreenshotAsync(IPage page, string name)
    {
        var bytes = await page.ScreenshotAsync(new PageScreenshotOptions { FullPage = false });
        await File.WriteAllBytesAsync(Path.Combine(AppContext.BaseDirectory, name), bytes);
        if (Environment.GetEnvironmentVariable("INFERENCESERVER_SCREENSHOT_DIR") is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
            await File.WriteAllBytesAsync(Path.Combine(dir, name), bytes);
        }
    }
}
