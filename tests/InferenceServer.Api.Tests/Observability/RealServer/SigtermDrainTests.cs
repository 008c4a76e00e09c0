using System.Net;
using System.Text.Json;
using InferenceServer.TestKit;

namespace InferenceServer.Api.Tests.Observability.RealServer;

/// <summary>Issue 3: SIGTERM to the real server process with streams in flight: they complete, new requests get
/// the OpenAI-shaped 503 with Retry-After while the drain lasts, and the process exits 0.</summary>
public sealed class SigtermDrainTests
{
    /// <summary>One slot and two long streams on the slow model: the second queues behind the first, which keeps the
    /// drain window open long enough to probe it (ignore_eos makes the lengths exact). On TinyRandom both streams once
    /// ended before the first probe under a busy CI run, the drain was over at once and the probe was refused.</summary>
    private const int MaxTokens = 1500;

    [Fact]
    public async Task Sigterm_drains_streams_in_flight_answers_503_meanwhile_and_exits_0()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Model__Path"] = TestModels.SlowRandom,
            ["Engine__MaxSequences"] = "1",
            ["Shutdown__DrainTimeoutSeconds"] = "60",
            ["Shutdown__RetryAfterSeconds"] = "2",
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var probeClient = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        using var first = await ChatRequests.OpenStreamAsync(server.Client, MaxTokens, timeout.Token);
        await first.ReadFirstEventAsync(timeout.Token);
        var secondTask = ChatRequests.OpenStreamAsync(server.Client, MaxTokens, timeout.Token);
        await WaitForQueuedAsync(probeClient, timeout.Token);

        server.Terminate();

        // The drain flag is set within milliseconds; until then /v1 still answers 200.
        HttpResponseMessage? refused = null;
        while (refused is null)
        {
            var probe = await probeClient.GetAsync("/v1/models", timeout.Token);
            if (probe.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                refused = probe;
                break;
            }

            Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
            probe.Dispose();
            await Task.Delay(10, timeout.Token);
        }

        using (refused)
        {
            Assert.Equal("2", refused.Headers.GetValues("Retry-After").Single());
            using var body = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(timeout.Token));
            var error = body.RootElement.GetProperty("error");
            Assert.Equal("unavailable_error", error.GetProperty("type").GetString());
            Assert.Equal("server_shutting_down", error.GetProperty("code").GetString());
            Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        }

        // Probes fail while draining so load balancers stop routing here (the streams still run).
        using (var ready = await probeClient.GetAsync("/health/ready", timeout.Token))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }

        using (var health = await probeClient.GetAsync("/health", timeout.Token))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            using var body = JsonDocument.Parse(await health.Content.ReadAsStringAsync(timeout.Token));
            Assert.Equal("Shutting down", body.RootElement.GetProperty("error").GetProperty("message").GetString());
        }

        Assert.False(server.HasExited, "the server exited before its streams finished");
        var firstResult = await first.ReadToEndAsync(timeout.Token);
        using var second = await secondTask;
        var secondResult = await second.ReadToEndAsync(timeout.Token);
        foreach (var result in new[] { firstResult, secondResult })
        {
            Assert.Equal(HttpStatusCode.OK, result.Status);
            Assert.Equal("length", result.FinishReason);
            Assert.True(result.SawDone, "stream ended without [DONE]");
        }

        var exitCode = await server.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exitCode == 0, $"exit code {exitCode}\n{server.OutputTail}");
    }

    /// <summary>Waits until the second request is queued behind the first (vllm:num_requests_waiting = 1).</summary>
    private static async Task WaitForQueuedAsync(HttpClient client, CancellationToken ct)
    {
        while (true)
        {
            var samples = MetricsText.Parse(await client.GetStringAsync("/metrics", ct));
            if (samples.Sum("vllm:num_requests_waiting") >= 1 || samples.Sum("vllm:num_requests_running") == 0)
            {
                return;
            }

            await Task.Delay(10, ct);
        }
    }
}
