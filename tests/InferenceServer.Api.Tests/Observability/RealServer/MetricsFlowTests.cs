using System.Net;
using System.Text;

namespace InferenceServer.Api.Tests.Observability.RealServer;

/// <summary>Issue 3: the metric families and labels exist on the real server's /metrics and move as requests
/// flow: histograms per request, token usage by type, the vllm: gauges under queueing, error-labelled series.</summary>
[Collection(ProcessWideMetersCollection.Name)]
public sealed class MetricsFlowTests(SingleSlotServerFixture fixture) : IClassFixture<SingleSlotServerFixture>
{
    /// <summary>Long enough (ignore_eos, near the 2048 context) that a queue forms behind the single slot even on
    /// a fast machine; the requests are cancelled long before they finish.</summary>
    private const int LongMaxTokens = 1900;
    private const int ConcurrentStreams = 5;
    private static readonly (string, string)[] Chat = [("gen_ai_operation_name", "chat"), ("gen_ai_request_model", "tiny")];
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(30);

    private HttpClient Client => fixture.Server.Client;

    [Fact]
    public async Task Latency_histograms_and_token_usage_move_by_exactly_one_request()
    {
        const int maxTokens = 12;
        await ChatAsync(maxTokens); // families with labels appear after the first request
        var before = await ScrapeAsync();
        foreach (var family in new[]
                 {
                     "gen_ai_server_request_duration_seconds", "gen_ai_server_time_to_first_token_seconds",
                     "gen_ai_server_time_per_output_token_seconds",
                 })
        {
            Assert.Contains(before, s => s.Name == family + "_bucket" && s.Labels.ContainsKey("le")
                && s.Labels.GetValueOrDefault("gen_ai_operation_name") == "chat" && s.Labels.GetValueOrDefault("gen_ai_request_model") == "tiny");
            Assert.Contains(before, s => s.Name == family + "_sum" && s.Labels.GetValueOrDefault("gen_ai_operation_name") == "chat");
            Assert.Contains(before, s => s.Name == family + "_count" && s.Labels.GetValueOrDefault("gen_ai_request_model") == "tiny");
        }

        await ChatAsync(maxTokens);
        var after = await ScrapeAsync();

        // Successful requests only: a client abort from another test may still be recorded (with error_type).
        before = [.. before.Where(s => !s.Labels.ContainsKey("error_type"))];
        after = [.. after.Where(s => !s.Labels.ContainsKey("error_type"))];
        Assert.Equal(1, Delta(before, after, "gen_ai_server_request_duration_seconds_count", Chat));
        Assert.Equal(1, Delta(before, after, "gen_ai_server_time_to_first_token_seconds_count", Chat));
        Assert.Equal(1, Delta(before, after, "gen_ai_server_time_per_output_token_seconds_count", Chat));
        Assert.True(Delta(before, after, "gen_ai_server_request_duration_seconds_sum", Chat) > 0);
        Assert.Equal(1, Delta(before, after, "gen_ai_server_request_duration_seconds_bucket", [.. Chat, ("le", "+Inf")]));
        Assert.Equal(maxTokens, Delta(before, after, "gen_ai_client_token_usage_sum", [.. Chat, ("gen_ai_token_type", "output")]));
        Assert.Equal(1, Delta(before, after, "gen_ai_client_token_usage_count", [.. Chat, ("gen_ai_token_type", "input")]));
        Assert.True(Delta(before, after, "gen_ai_client_token_usage_sum", [.. Chat, ("gen_ai_token_type", "input")]) > 0);
        Assert.Equal(maxTokens, Delta(before, after, "inferenceserver_generation_tokens_total", Chat));
        Assert.Equal(1, Delta(before, after, "inferenceserver_requests_total", [.. Chat, ("inferenceserver_finish_reason", "length")]));
    }

    [Fact]
    public async Task Vllm_gauges_show_the_queue_while_streams_run_and_fall_to_zero_after_the_clients_abort()
    {
        var before = await ScrapeAsync();
        using var abort = new CancellationTokenSource();
        var streams = Enumerable.Range(0, ConcurrentStreams).Select(_ => RunStreamAsync(abort.Token)).ToArray();
        try
        {
            var busy = await PollScrapeAsync(s =>
                Gauge(s, "vllm:num_requests_running") == 1
                && Gauge(s, "vllm:num_requests_waiting") >= 1
                && Gauge(s, "vllm:kv_cache_usage_perc") > 0);
            Assert.Equal(Gauge(busy, "vllm:kv_cache_usage_perc"), Gauge(busy, "vllm:gpu_cache_usage_perc"));
            Assert.True(Gauge(busy, "vllm:kv_cache_usage_perc") <= 1);
            Assert.Equal(1, busy.Sum("inferenceserver_engine_requests_running"));
        }
        finally
        {
            await abort.CancelAsync();
            await Task.WhenAll(streams);
        }

        // A client that goes away is counted with error_type="cancelled" (its request never finished).
        var idle = await PollScrapeAsync(s =>
            Gauge(s, "vllm:num_requests_running") == 0 && Gauge(s, "vllm:num_requests_waiting") == 0
            && Delta(before, s, "inferenceserver_requests_total", [.. Chat, ("error_type", "cancelled")]) >= 1);
        Assert.Equal(0, Gauge(idle, "vllm:kv_cache_usage_perc"));
    }

    [Fact]
    public async Task Error_requests_increment_the_error_labelled_series()
    {
        var before = await ScrapeAsync();
        using (var unknownModel = await Client.PostAsync("/v1/chat/completions", new StringContent(
                   """{"model":"no-such-model","messages":[{"role":"user","content":"hi"}],"max_tokens":4}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknownModel.StatusCode);
        }

        using (var invalid = await Client.PostAsync("/v1/chat/completions", new StringContent(
                   """{"model":"tiny","messages":[{"role":"user","content":"hi"}],"max_tokens":-3}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        }

        var after = await ScrapeAsync();
        var errorDurations = ErrorSum(after, "gen_ai_server_request_duration_seconds_count") - ErrorSum(before, "gen_ai_server_request_duration_seconds_count");
        var errorRequests = ErrorSum(after, "inferenceserver_requests_total") - ErrorSum(before, "inferenceserver_requests_total");
        Assert.Equal(2, errorDurations);
        Assert.Equal(2, errorRequests);
        Assert.Contains(after, s => s.Name == "gen_ai_server_request_duration_seconds_bucket"
            && s.Labels.GetValueOrDefault("error_type") is { Length: > 0 } type && type != "cancelled"
            && s.Labels.GetValueOrDefault("gen_ai_operation_name") == "chat");
    }

    private async Task ChatAsync(int maxTokens)
    {
        using var response = await ChatRequests.PostAsync(Client, maxTokens, stream: false);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await response.Content.ReadAsStringAsync();
    }

    /// <summary>Streams until the server finishes or the token aborts the connection (then returns quietly).</summary>
    private async Task RunStreamAsync(CancellationToken abort)
    {
        try
        {
            using var stream = await ChatRequests.OpenStreamAsync(Client, LongMaxTokens, abort);
            await stream.ReadToEndAsync(abort);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
        }
        catch (IOException) when (abort.IsCancellationRequested)
        {
        }
    }

    private async Task<IReadOnlyList<MetricSample>> ScrapeAsync() => MetricsText.Parse(await Client.GetStringAsync("/metrics"));

    private async Task<IReadOnlyList<MetricSample>> PollScrapeAsync(Func<IReadOnlyList<MetricSample>, bool> accept)
    {
        var deadline = DateTime.UtcNow + Bounded;
        while (true)
        {
            var samples = await ScrapeAsync();
            if (accept(samples))
            {
                return samples;
            }

            if (DateTime.UtcNow > deadline)
            {
                var gauges = string.Join(", ", samples.Where(s => s.Name.StartsWith("vllm:", StringComparison.Ordinal)).Select(s => $"{s.Name}={s.Value}"));
                Assert.Fail($"/metrics did not reach the expected state within {Bounded.TotalSeconds} s; last: {gauges}\n{fixture.Server.OutputTail}");
            }

            await Task.Delay(20);
        }
    }

    private static double Gauge(IReadOnlyList<MetricSample> samples, string name) =>
        samples.Single(s => s.Name == name && s.Labels.GetValueOrDefault("model_name") == "tiny").Value;

    private static double Delta(IReadOnlyList<MetricSample> before, IReadOnlyList<MetricSample> after, string name, (string, string)[] match) =>
        after.Sum(name, match) - before.Sum(name, match);

    private static double ErrorSum(IReadOnlyList<MetricSample> samples, string name) =>
        samples.Where(s => s.Name == name && s.Labels.TryGetValue("error_type", out var type) && type != "cancelled").Sum(s => s.Value);
}
