using System.Net.Http.Headers;
using InferenceServer.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace InferenceServer.Api.Tests.Security;

/// <summary>The real Program over the fake engine with extra configuration (keys, CORS, limits).</summary>
internal static class SecuredApi
{
    public const string Key = "sk-test-0123456789abcdef";
    public const string OtherKey = "sk-test-other-key-42";

    public static WebApplicationFactory<Program> Create(ApiFactory factory, IDictionary<string, string?> settings) =>
        factory.WithWebHostBuilder(b => b.ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings)));

    public static WebApplicationFactory<Program> WithKeys(ApiFactory factory, IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?> { ["Security:ApiKeys:0"] = Key, ["Security:ApiKeys:1"] = OtherKey };
        foreach (var (k, v) in more ?? new Dictionary<string, string?>())
        {
            settings[k] = v;
        }

        return Create(factory, settings);
    }

    public static HttpClient Client(WebApplicationFactory<Program> app, string? key)
    {
        var client = app.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }
}
