using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using InferenceServer.Core.Diagnostics;
using InferenceServer.Core.Generation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace InferenceServer.Api.Tests.Observability;

[Collection(ProcessWideMetersCollection.Name)]
public sealed class ObservabilityEndpointTests
{
    [Fact]
    public async Task Health_is_llama_server_compatible()
    {
        await using var host = await ObservabilityTestHost.StartAsync();

        var loading = await host.Client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, loading.StatusCode);
        using (var body = JsonDocument.Parse(await loading.Content.ReadAsStringAsync()))
        {
            var error = body.RootElement.GetProperty("error");
            // The README's promise: the OpenAI error object (string code, param present), not llama-server's numeric code.
            Assert.Equal(["code", "message", "param", "type"], error.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
            Assert.Equal("model_not_ready", error.GetProperty("code").GetString());
            Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
            Assert.Equal("Loading model", error.GetProperty("message").GetString());
            Assert.Equal("unavailable_error", error.GetProperty("type").GetString());
        }

        host.Engine.SetReady(true);
        var ready = await host.Client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("{\"status\":\"ok\"}", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readiness_follows_the_engine_and_liveness_is_always_up()
    {
        await using var host = await ObservabilityTestHost.StartAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await host.Client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/health/live")).StatusCode);

        host.Engine.SetReady(true);
        var ready = await host.Client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("engine").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Metrics_combine_otel_instruments_and_vllm_gauges_in_prometheus_text()
    {
        await using var host = await ObservabilityTestHost.StartAsync();
        host.Engine.SetReady(true);
        host.Engine.Snapshot = FakeInferenceEngine.Empty(running: 2, waiting: 3, kvUsed: 128, kvTotal: 256);
        host.App.Services.GetRequiredService<IRequestMetrics>().Record(new RequestOutcome(
            GenerationOperation.Chat, "tiny", Streaming: true, TimeSpan.FromSeconds(0.5), new Usage(10, 4),
            new GenerationTimings(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(40)),
            FinishReason.Length, null));
        // One finished HTTP request, so the ASP.NET Core request-duration histogram has a series.
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/health/live")).StatusCode);

        var response = await host.Client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.MediaType, StringComparison.Ordinal);
        Assert.Equal(response.Content.Headers.ContentLength, System.Text.Encoding.UTF8.GetByteCount(text));
        Assert.Contains("vllm:num_requests_waiting{model_name=\"tiny\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("vllm:num_requests_running{model_name=\"tiny\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("vllm:kv_cache_usage_perc{model_name=\"tiny\"} 0.5\n", text, StringComparison.Ordinal);
        Assert.Contains("gen_ai_server_time_to_first_token_seconds_bucket{", text, StringComparison.Ordinal);
        Assert.Contains("gen_ai_server_request_duration_seconds_count{", text, StringComparison.Ordinal);
        Assert.Contains("gen_ai_server_time_per_output_token_seconds_bucket{", text, StringComparison.Ordinal);
        Assert.Contains("gen_ai_client_token_usage_bucket{", text, StringComparison.Ordinal);
        Assert.Contains("inferenceserver_requests_total{", text, StringComparison.Ordinal);
        Assert.Contains("inferenceserver_engine_requests_waiting{otel_scope_name=\"InferenceServer\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("gen_ai_operation_name=\"chat\"", text, StringComparison.Ordinal);
        Assert.Contains("le=\"0.25\"", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds_count{", text, StringComparison.Ordinal);
        ExpositionLint.AssertWellFormed(text, openMetrics: false);
        await DumpAsync("metrics.prom", text);
    }

    [Fact]
    public async Task Openmetrics_scrape_keeps_eof_last()
    {
        await using var host = await ObservabilityTestHost.StartAsync();
        host.Engine.SetReady(true);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse("application/openmetrics-text;version=1.0.0"));

        var response = await host.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("application/openmetrics-text", response.Content.Headers.ContentType!.MediaType);
        Assert.EndsWith("# EOF\n", text, StringComparison.Ordinal);
        Assert.Equal(1, CountOccurrences(text, "# EOF"));
        Assert.Contains("vllm:num_requests_waiting{model_name=\"tiny\"} 0\n", text, StringComparison.Ordinal);
        ExpositionLint.AssertWellFormed(text, openMetrics: true);
        await DumpAsync("metrics.openmetrics", text);
    }

    [Fact]
    public async Task Scrape_asking_for_gzip_still_gets_the_vllm_gauges()
    {
        // Prometheus sends Accept-Encoding: gzip; the exporter would compress and the lines could not be inserted.
        await using var host = await ObservabilityTestHost.StartAsync();
        host.Engine.SetReady(true);
        host.Engine.Snapshot = FakeInferenceEngine.Empty(waiting: 6);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));

        var response = await host.Client.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.Contains("vllm:num_requests_waiting{model_name=\"tiny\"} 6\n", text, StringComparison.Ordinal);
        ExpositionLint.AssertWellFormed(text, openMetrics: false);
    }

    [Fact]
    public async Task Swagger_documents_the_endpoints()
    {
        await using var host = await ObservabilityTestHost.StartAsync();

        var response = await host.Client.GetAsync("/swagger/v1/swagger.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("InferenceServer", document.RootElement.GetProperty("info").GetProperty("title").GetString());
        var paths = document.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/health", out var health));
        Assert.True(paths.TryGetProperty("/health/ready", out _));
        Assert.True(paths.TryGetProperty("/health/live", out _));
        Assert.True(paths.TryGetProperty("/v1/models", out _));
        Assert.Equal("GetHealth", health.GetProperty("get").GetProperty("operationId").GetString());
        Assert.True(health.GetProperty("get").GetProperty("responses").TryGetProperty("503", out _));

        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/swagger/index.html")).StatusCode);
    }

    [Fact]
    public async Task Shutdown_drains_before_the_server_stops()
    {
        await using var host = await ObservabilityTestHost.StartAsync();
        host.Engine.SetReady(true);
        var inFlight = host.Client.GetAsync("/v1/models");
        await host.InFlightEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var stopping = host.App.StopAsync();
        await host.Engine.DrainWaitStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Draining: the engine was told, readiness fails, new /v1 requests get an OpenAI-shaped 503.
        Assert.True(host.Engine.DrainBegun);
        Assert.False(stopping.IsCompleted);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await host.Client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/health/live")).StatusCode);
        var refused = await host.Client.GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
        using (var body = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()))
        {
            Assert.Equal("server_shutting_down", body.RootElement.GetProperty("error").GetProperty("code").GetString());
            Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("error").GetProperty("param").ValueKind);
        }

        // The request admitted before SIGTERM still completes, then the host stops.
        host.InFlightRelease.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await inFlight).StatusCode);
        host.Engine.BecomeIdle();
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Host_shutdown_timeout_outlasts_the_drain_timeout()
    {
        await using var host = await ObservabilityTestHost.StartAsync(new() { ["Shutdown:DrainTimeoutSeconds"] = "45" });
        var options = host.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HostOptions>>().Value;
        Assert.True(options.ShutdownTimeout > TimeSpan.FromSeconds(45), options.ShutdownTimeout.ToString());
    }

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>With OBSERVABILITY_DUMP_DIR set, saves the scrape (for promtool check metrics in a script).</summary>
    private static async Task DumpAsync(string name, string text)
    {
        var dir = Environment.GetEnvironmentVariable("OBSERVABILITY_DUMP_DIR");
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
            await File.WriteAllTextAsync(Path.Combine(dir, name), text);
        }
    }
}
