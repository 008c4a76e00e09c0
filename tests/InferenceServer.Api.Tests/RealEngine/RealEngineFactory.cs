using InferenceServer.Core.Engine;
using InferenceServer.TestKit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace InferenceServer.Api.Tests.RealEngine;

/// <summary>The full server (engine loop + LLamaSharp) on the TestKit scripted model, loaded once per test class.</summary>
public sealed class RealEngineFactory : WebApplicationFactory<Program>
{
    public const string ModelId = "scripted";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseContentRoot(AppContext.BaseDirectory);
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Model:Path"] = TestModels.Scripted,
            ["Model:Id"] = ModelId,
            ["Model:ContextSize"] = "1024",
            ["Model:BatchSize"] = "256",
            ["Model:MicroBatchSize"] = "256",
            ["Model:Threads"] = "1",
            ["Engine:MaxSequences"] = "4",
            ["Engine:QueueCapacity"] = "16",
        }));
    }

    /// <summary>Starts the host and waits until the model is loaded.</summary>
    public async Task<HttpClient> ReadyClientAsync()
    {
        var client = CreateClient();
        var engine = Services.GetRequiredService<IInferenceEngine>();
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!engine.IsReady)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The scripted model did not load.");
            }

            await Task.Delay(50);
        }

        return client;
    }
}
