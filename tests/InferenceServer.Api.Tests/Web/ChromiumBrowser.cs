using Microsoft.Playwright;

namespace InferenceServer.Api.Tests.Web;

/// <summary>Playwright driving the system's chromium (no browser download: Debian's package is the browser).</summary>
public static class ChromiumBrowser
{
    public const string DefaultPath = "/usr/bin/chromium";

    public static string? ExecutablePath =>
        Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } custom && File.Exists(custom) ? custom
        : File.Exists(DefaultPath) ? DefaultPath
        : null;

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath ?? throw new InvalidOperationException("chromium is not installed"),
            Headless = true,
            // CI runs as root, where chromium's sandbox cannot start.
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
        return (playwright, browser);
    }
}
