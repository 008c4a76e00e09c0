using System.Net;
using System.Text.Json;
using InferenceServer.Core.Engine;
using InferenceServer.LlamaSharp;
using InferenceServer.TestKit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace InferenceServer.Api.Tests.Observability.RealServer;

/// <summary>Issue 3: /health answers 503 like llama-server while the model loads and 200 once it is ready; the
/// load is held on a gate in front of the real LLamaSharp factory.</summary>
public sealed class HealthGateTests
{
    [Fact]
    public async Task Health_is_503_while_the_model_loads_and_200_after()
    {
        using var gate = new ManualResetEventSlim(false);
        await using var factory = new GatedFactory(gate);
        try
        {
            using var client = factory.CreateClient();

            using (var health = await client.GetAsync("/health"))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
                using var body = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
                var error = body.RootElement.GetProperty("error");
                // The README's promise: the OpenAI error object (string code, param present), not llama-server's numeric code.
                Assert.Equal(["code", "message", "param", "type"], error.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
                Assert.Equal("model_not_ready", error.GetProperty("code").GetString());
                Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
                Assert.Equal("1", health.Headers.GetValues("Retry-After").Single());
                Assert.Equal("Loading model", error.GetProperty("message").GetString());
                Assert.Equal("unavailable_error", error.GetProperty("type").GetString());
            }

            using (var ready = await client.GetAsync("/health/ready"))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            }

            using (var live = await client.GetAsync("/health/live"))
            {
                Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            }

            Assert.True(factory.LoadRequested.Wait(TimeSpan.FromSeconds(30)), "the engine never asked for the model");
            Assert.False(factory.Services.GetRequiredService<IInferenceEngine>().IsReady);
            gate.Set();

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            HttpStatusCode status;
            do
            {
                await Task.Delay(50);
                using var health = await client.GetAsync("/health");
                status = health.StatusCode;
                if (status == HttpStatusCode.OK)
                {
                    Assert.Equal("""{"status":"ok"}""", await health.Content.ReadAsStringAsync());
                }
            }
            while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);

            Assert.Equal(HttpStatusCode.OK, status);
            using var readyAfter = await client.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.OK, readyAfter.StatusCode);
        }
        finally
        {
            gate.Set();
        }
    }

    /// <summary>The real server whose model load waits for the gate.</summary>
    private sealed class GatedFactory(ManualResetEventSlim gate) : WebApplicationFactory<Program>
    {
        public ManualResetEventSlim LoadRequested { get; } = new(false);

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseContentRoot(AppContext.BaseDirectory);
            builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Model:Path"] = TestModels.TinyRandom,
                ["Model:Id"] = ServerProcess.ModelId,
                ["Model:Threads"] = "1",
                ["Serilog:MinimumLevel:Default"] = "Warning",
            }));
            builder.ConfigureServices(services =>
            {
                services.RemoveAll<IModelBackendFactory>();
                services.AddSingleton<LlamaSharpBackendFactory>();
                services.AddSingleton<IModelBackendFactory>(sp =>
                    new GatedBackendFactory(gate, LoadRequested, sp.GetRequiredService<LlamaSharpBackendFactory>()));
            });
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            LoadRequested.Dispose();
        }
    }

    private sealed class GatedBackendFactory(ManualResetEventSlim gate, ManualResetEventSlim requested, IModelBackendFactory inner)
        : IModelBackendFactory
    {
        public IModelBackend Create(CancellationToken cancellationToken)
        {
            requested.Set();
            gate.Wait(cancellationToken);
            return inner.Create(cancellationToken);
        }
    }
}
