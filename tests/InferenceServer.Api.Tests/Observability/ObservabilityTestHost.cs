using InferenceServer.Api.Observability;
using InferenceServer.Core.Diagnostics;
using InferenceServer.Core.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace InferenceServer.Api.Tests.Observability;

/// <summary>A real ASP.NET Core pipeline (TestServer) with only the observability layer, a fake engine and one
/// stand-in /v1 endpoint: what Program.cs wires, minus the model.</summary>
internal sealed class ObservabilityTestHost : IAsyncDisposable
{
    private ObservabilityTestHost(WebApplication app, FakeInferenceEngine engine)
    {
        App = app;
        Engine = engine;
    }

    public WebApplication App { get; }

    public FakeInferenceEngine Engine { get; }

    /// <summary>Created after the server started.</summary>
    public HttpClient Client { get; private set; } = null!;

    /// <summary>Set by the stand-in endpoint: lets a test hold a request in flight.</summary>
    public TaskCompletionSource InFlightRelease { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed when the stand-in endpoint has a request in its handler.</summary>
    public TaskCompletionSource InFlightEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<ObservabilityTestHost> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Model:Path"] = "models/tiny.gguf",
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Shutdown:DrainTimeoutSeconds"] = "20",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        var engine = new FakeInferenceEngine();
        builder.Services.AddSingleton<IInferenceEngine>(engine);
        builder.Services.AddOptions<Core.Options.ModelOptions>().Bind(builder.Configuration.GetSection("Model"));
        builder.AddServerObservability();

        var app = builder.Build();
        app.MapServerObservability();
        var host = new ObservabilityTestHost(app, engine);
        app.MapGet("/v1/models", async (IRequestMetrics metrics) =>
            {
                host.InFlightEntered.TrySetResult();
                await host.InFlightRelease.Task;
                return Results.Text("{\"object\":\"list\",\"data\":[]}", "application/json");
            })
            .WithName("ListModelsStandIn")
            .Produces(StatusCodes.Status200OK);
        await app.StartAsync();
        host.Client = app.GetTestClient();
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        InFlightRelease.TrySetResult();
        Engine.BecomeIdle();
        Client?.Dispose();
        await App.DisposeAsync();
    }
}
