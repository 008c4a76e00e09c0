using System.Net;
using System.Text.Json;
using InferenceServer.Api.Tests.Infrastructure;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests.Security;

public sealed class RateLimitTests : IDisposable
{
    private const string ChatBody = "{\"model\":\"tiny-test\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private readonly ApiFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Requests_per_minute_are_counted_per_key_and_refused_with_429_retry_after_and_a_metric()
    {
        await using var app = SecuredApi.WithKeys(_factory, new Dictionary<string, string?> { ["Security:RateLimit:RequestsPerMinute"] = "2" });
        using var first = SecuredApi.Client(app, SecuredApi.Key);
        using var second = SecuredApi.Client(app, SecuredApi.OtherKey);

        Assert.Equal(HttpStatusCode.OK, (await PostJsonAsync(first, "/v1/chat/completions", ChatBody)).Status);
        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/v1/models")).StatusCode);
        var (status, body, response) = await PostJsonAsync(first, "/v1/chat/completions", ChatBody);
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        AssertError(body, "rate_limit_error", null, "rate_limit_exceeded");
        var retryAfter = int.Parse(response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);

        // Another key has its own budget; probes are never limited.
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/v1/models")).StatusCode);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/health/live")).StatusCode);
        }

        var metrics = await (await first.GetAsync("/metrics")).Content.ReadAsStringAsync();
        Assert.Contains("inferenceserver_http_rejected_total{reason=\"requests_per_minute\"", metrics.Replace("otel_scope_name=\"InferenceServer\",", ""));
    }

    [Fact]
    public async Task Concurrent_requests_are_limited_per_client_address_when_keys_are_off()
    {
        _factory.Engine.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = SecuredApi.Create(_factory, new Dictionary<string, string?> { ["Security:RateLimit:ConcurrentRequests"] = "1" });
        using var client = app.CreateClient();

        var held = client.PostAsync("/v1/chat/completions", Json(ChatBody));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (_factory.Engine.Requests.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        var (status, body, response) = await PostJsonAsync(client, "/v1/chat/completions", ChatBody);
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        AssertError(body, "rate_limit_error", null, "rate_limit_exceeded");
        Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
        Assert.Contains("concurrent", body.GetProperty("error").GetProperty("message").GetString());

        _factory.Engine.Gate.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await held).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostJsonAsync(client, "/v1/chat/completions", ChatBody)).Status);
    }
}
