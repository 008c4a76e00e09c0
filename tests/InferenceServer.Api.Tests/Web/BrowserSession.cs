using InferenceServer.Api.Tests.Observability.RealServer;
using Microsoft.Playwright;

namespace InferenceServer.Api.Tests.Web;

/// <summary>A real server process and a chromium page open at its chat page; disposing closes both.</summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private BrowserSession(ServerProcess server, IPlaywright playwright, IBrowser browser, IPage page)
    {
        Server = server;
        _playwright = playwright;
        _browser = browser;
        Page = page;
    }

    public ServerProcess Server { get; }
    public IPage Page { get; }

    public static async Task<BrowserSession> OpenAsync(IReadOnlyDictionary<string, string> settings, int width = 1200, int height = 800)
    {
        var server = await ServerProcess.StartAsync(settings);
        try
        {
            var (playwright, browser) = await ChromiumBrowser.LaunchAsync();
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
            page.SetDefaultTimeout(30_000);
            await page.GotoAsync(server.BaseAddress.ToString());
            return new BrowserSession(server, playwright, browser, page);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public Task WaitForModelsAsync() =>
        Page.WaitForFunctionAsync("() => document.querySelector('#model').options.length > 0");

    public async Task AskAsync(string question, double temperature, int maxTokens)
    {
        await Page.FillAsync("#temperature", temperature.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Page.FillAsync("#max-tokens", maxTokens.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Page.FillAsync("#prompt", question);
        await Page.ClickAsync("#send");
    }

    /// <summary>The engine's running-sequences gauge as the server exports it.</summary>
    public async Task<double> RunningGaugeAsync() =>
        MetricsText.Parse(await Server.Client.GetStringAsync("/metrics")).Single(s => s.Name == "vllm:num_requests_running").Value;

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await Server.DisposeAsync();
    }
}
