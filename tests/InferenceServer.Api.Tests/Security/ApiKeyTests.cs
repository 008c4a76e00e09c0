using System.Net;
using System.Text.Json;
using InferenceServer.Api.Security;
using InferenceServer.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests.Security;

public sealed class ApiKeyTests : IDisposable
{
    private const string ChatBody = "{\"model\":\"tiny-test\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static readonly string[] OpenPaths = ["/health", "/health/live", "/health/ready", "/metrics"];

    private readonly ApiFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    /// <summary>Every routed endpoint, read from the app's endpoint data sources: a route added later without
    /// <see cref="OpenEndpointMetadata"/> is covered (and must refuse requests without a key) automatically.</summary>
    private static List<(string Method, string Path, bool Open)> Routes(IServiceProvider services)
    {
        var routes = new List<(string, string, bool)>();
        foreach (var source in services.GetServices<EndpointDataSource>())
        {
            foreach (var endpoint in source.Endpoints.OfType<RouteEndpoint>())
            {
                var path = "/" + string.Join('/', endpoint.RoutePattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
                {
                    Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
                    Microsoft.AspNetCore.Routing.Patterns.RoutePatternSeparatorPart separator => separator.Content,
                    _ => "x",
                }))));
                var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"];
                var open = endpoint.Metadata.GetMetadata<OpenEndpointMetadata>() is not null;
                routes.AddRange(methods.Select(m => (m, path, open)));
            }
        }

        return routes;
    }

    [Fact]
    public async Task Every_api_route_refuses_a_missing_or_wrong_key_with_the_openai_error()
    {
        await using var app = SecuredApi.WithKeys(_factory);
        using var anonymous = SecuredApi.Client(app, null);
        using var wrong = SecuredApi.Client(app, "sk-wrong");
        var routes = Routes(app.Services);
        var guarded = routes.Where(r => !r.Open).ToList();

        // The table is the real one: the OpenAI routes are in it and guarded, the probes are open.
        Assert.Contains(guarded, r => r is { Method: "POST", Path: "/v1/chat/completions" });
        Assert.Contains(guarded, r => r is { Method: "POST", Path: "/v1/completions" });
        Assert.Contains(guarded, r => r is { Method: "GET", Path: "/v1/models/x" });
        Assert.Contains(guarded, r => r is { Method: "POST", Path: "/tokenize" });
        Assert.Equal(OpenPaths.Order(), routes.Where(r => r.Open).Select(r => r.Path).Distinct().Order());

        foreach (var (method, path, _) in guarded)
        {
            foreach (var (client, expected) in new[] { (anonymous, "didn't provide an API key"), (wrong, "Incorrect API key") })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method == "POST")
                {
                    request.Content = Json(ChatBody);
                }

                using var response = await client.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path}: {(int)response.StatusCode} {text}");
                var error = AssertError(JsonDocument.Parse(text).RootElement, "invalid_request_error", null, "invalid_api_key");
                Assert.Contains(expected, error.GetProperty("message").GetString());
                Assert.DoesNotContain("sk-wrong", text);
                Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
            }
        }

        Assert.Empty(_factory.Engine.Requests);
    }

    [Fact]
    public async Task A_configured_key_is_accepted_and_the_probes_stay_open()
    {
        await using var app = SecuredApi.WithKeys(_factory);
        using var anonymous = SecuredApi.Client(app, null);
        foreach (var key in new[] { SecuredApi.Key, SecuredApi.OtherKey })
        {
            using var client = SecuredApi.Client(app, key);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/models")).StatusCode);
            var (status, _, _) = await PostJsonAsync(client, "/v1/chat/completions", ChatBody);
            Assert.Equal(HttpStatusCode.OK, status);
        }

        foreach (var path in OpenPaths)
        {
            Assert.NotEqual(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path)).StatusCode);
        }

        // A key differing only in its last character, or a key prefix, is not the key.
        using var near = SecuredApi.Client(app, SecuredApi.Key[..^1] + "0");
        Assert.Equal(HttpStatusCode.Unauthorized, (await near.GetAsync("/v1/models")).StatusCode);
        using var prefix = SecuredApi.Client(app, SecuredApi.Key[..8]);
        Assert.Equal(HttpStatusCode.Unauthorized, (await prefix.GetAsync("/v1/models")).StatusCode);
    }

    [Fact]
    public async Task Metrics_can_require_a_key()
    {
        await using var app = SecuredApi.WithKeys(_factory, new Dictionary<string, string?> { ["Security:ProtectMetrics"] = "true" });
        using var anonymous = SecuredApi.Client(app, null);
        using var client = SecuredApi.Client(app, SecuredApi.Key);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task Without_keys_the_api_stays_open_as_before()
    {
        using var client = _factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/models")).StatusCode);
    }

    [Fact]
    public async Task Keys_come_from_a_file_and_from_the_environment_variable_too()
    {
        var file = Path.Combine(Path.GetTempPath(), $"keys-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(file, "# comment\nsk-from-file\n\n");
        try
        {
            var options = new SecurityOptions { ApiKeys = ["sk-from-config"], ApiKeysFile = file };
            var store = new ApiKeyStore(ApiKeyStore.Collect(options, "sk-env-1, sk-env-2"));
            Assert.Equal(4, store.Count);
            foreach (var key in new[] { "sk-from-config", "sk-from-file", "sk-env-1", "sk-env-2" })
            {
                Assert.True(store.IsValid(key), key);
            }

            Assert.False(store.IsValid("# comment"));
            Assert.False(store.IsValid(""));

            await using var app = SecuredApi.Create(_factory, new Dictionary<string, string?> { ["Security:ApiKeysFile"] = file });
            using var client = SecuredApi.Client(app, "sk-from-file");
            using var anonymous = SecuredApi.Client(app, null);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/models")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/models")).StatusCode);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080", true)]
    [InlineData("http://localhost:8080", true)]
    [InlineData("http://[::1]:8080", true)]
    [InlineData("http://0.0.0.0:8080", false)]
    [InlineData("http://[::]:8080", false)]
    [InlineData("http://+:8080", false)]
    [InlineData("http://*:8080", false)]
    [InlineData("http://10.1.2.3:8080", false)]
    public void Listening_beyond_loopback_is_recognised(string address, bool loopback) =>
        Assert.Equal(loopback, ExposureWarningService.IsLoopback(address));
}
