namespace InferenceServer.Api.Tests.Web;

/// <summary>A fact skipped, with the reason, when Debian's chromium is not installed (CI installs it: .ci/run).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequiresChromiumFactAttribute : FactAttribute
{
    public RequiresChromiumFactAttribute()
    {
        if (ChromiumBrowser.ExecutablePath is null)
        {
            Skip = $"Needs Debian's chromium at {ChromiumBrowser.DefaultPath} (apt-get install chromium) or CHROMIUM_PATH.";
        }
    }
}
