namespace InferenceServer.Api.Tests.Observability.RealServer;

/// <summary>Issue 3: a real Prometheus scrapes the real server process and reads back what the requests did.</summary>
public sealed class PrometheusScrapeTests(SharedServerFixture fixture) : IClassFixture<SharedServerFixture>
{
    private static readonly TimeSpan ScrapeWait = TimeSpan.FromSeconds(30);

    [RequiresExecutableFact("prometheus")]
    public async Task Prometheus_scrapes_the_ttft_histogram_its_quantiles_and_the_vllm_gauges()
    {
        var server = fixture.Server;
        await using var prometheus = await PrometheusProcess.StartAsync(server.BaseAddress);
        const int requests = 3;
        for (var i = 0; i < requests; i++)
        {
            using var response = await ChatRequests.PostAsync(server.Client, maxTokens: 8, stream: false);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }

        await prometheus.PollAsync("up{job=\"inferenceserver\"}", r => r.Count == 1 && r[0].Value == 1, ScrapeWait);

        await prometheus.PollAsync(
            "sum(gen_ai_server_time_to_first_token_seconds_count{gen_ai_operation_name=\"chat\",gen_ai_request_model=\"tiny\"})",
            r => r.Count == 1 && r[0].Value >= requests, ScrapeWait);

        var p50 = await prometheus.QueryAsync(
            "histogram_quantile(0.5, sum by (le) (gen_ai_server_time_to_first_token_seconds_bucket))");
        Assert.Single(p50);
        Assert.True(double.IsFinite(p50[0].Value) && p50[0].Value > 0, $"TTFT p50 = {p50[0].Value}");

        var duration = await prometheus.QueryAsync(
            "histogram_quantile(0.95, sum by (le) (gen_ai_server_request_duration_seconds_bucket{gen_ai_operation_name=\"chat\"}))");
        Assert.Single(duration);
        Assert.True(double.IsFinite(duration[0].Value) && duration[0].Value > 0, $"duration p95 = {duration[0].Value}");

        // Colons are legal in PromQL metric names: the plain name works, and so does the __name__ matcher.
        var running = await prometheus.PollAsync("vllm:num_requests_running", r => r.Count == 1 && r[0].Value == 0, ScrapeWait);
        Assert.Equal(ServerProcess.ModelId, running[0].Labels["model_name"]);
        var byName = await prometheus.QueryAsync("{__name__=\"vllm:kv_cache_usage_perc\"}");
        Assert.Equal(ServerProcess.ModelId, Assert.Single(byName).Labels["model_name"]);
        await prometheus.PollAsync("max(vllm:num_requests_waiting)", r => r.Count == 1 && r[0].Value == 0, ScrapeWait);
    }
}
