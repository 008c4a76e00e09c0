using System.Diagnostics;

namespace InferenceServer.Api.Tests.Observability.RealServer;

/// <summary>Issue 3: <c>promtool check metrics</c> accepts the real server's /metrics, apart from the by-design
/// "metric names should not contain ':'" lint on the four vllm: gauges that the inference routers require.</summary>
public sealed class PromtoolLintTests(SharedServerFixture fixture) : IClassFixture<SharedServerFixture>
{
    private static readonly string[] Expected =
    [
        "vllm:gpu_cache_usage_perc metric names should not contain ':'",
        "vllm:kv_cache_usage_perc metric names should not contain ':'",
        "vllm:num_requests_running metric names should not contain ':'",
        "vllm:num_requests_waiting metric names should not contain ':'",
    ];

    [RequiresExecutableFact("promtool")]
    public async Task Text_exposition_has_only_the_vllm_colon_findings()
    {
        await WarmUpAsync();
        var text = await fixture.Server.Client.GetStringAsync("/metrics");
        Assert.Contains("gen_ai_server_time_to_first_token_seconds_bucket{", text, StringComparison.Ordinal);
        Assert.Equal(Expected, await PromtoolFindingsAsync(text));
    }

    /// <summary>promtool 2.x lints only the text format (it rejects OpenMetrics' "info" type), so the OpenMetrics
    /// answer is checked structurally here and by the real Prometheus in <see cref="PrometheusScrapeTests"/>, which
    /// negotiates OpenMetrics first.</summary>
    [Fact]
    public async Task OpenMetrics_exposition_is_well_formed_and_ends_with_the_vllm_gauges_before_eof()
    {
        await WarmUpAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.TryAddWithoutValidation("Accept", "application/openmetrics-text;version=1.0.0");
        using var response = await fixture.Server.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/openmetrics-text", response.Content.Headers.ContentType?.MediaType);
        ExpositionLint.AssertWellFormed(text, openMetrics: true);
        Assert.Contains("\nvllm:num_requests_waiting{model_name=\"tiny\"} ", text, StringComparison.Ordinal);
        Assert.Contains("\nvllm:kv_cache_usage_perc{model_name=\"tiny\"} ", text, StringComparison.Ordinal);
    }

    /// <summary>Histograms and token counters appear only after a first request.</summary>
    private async Task WarmUpAsync()
    {
        using var response = await ChatRequests.PostAsync(fixture.Server.Client, maxTokens: 4, stream: false);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<string[]> PromtoolFindingsAsync(string exposition)
    {
        var info = new ProcessStartInfo(ExecutableLocator.Find("promtool") ?? "promtool")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("check");
        info.ArgumentList.Add("metrics");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(cts.Token);
        var lines = ((await stdout) + "\n" + (await stderr)).Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0)
            .Order(StringComparer.Ordinal)
            .ToArray();
        return lines;
    }
}
