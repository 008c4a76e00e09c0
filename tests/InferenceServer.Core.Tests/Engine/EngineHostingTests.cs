using InferenceServer.Core.Engine;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Tests.Fakes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace InferenceServer.Core.Tests.Engine;

[Collection(nameof(ExitCodeCollection))]
public sealed class EngineHostingTests : IDisposable
{
    private readonly string _model = Path.GetTempFileName();

    public void Dispose()
    {
        File.Delete(_model);
        Environment.ExitCode = 0;
    }

    private IHost Build(Func<CancellationToken, IModelBackend> create, Dictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?> { ["Model:Path"] = _model });
        builder.Services.AddSingleton<IModelBackendFactory>(new LambdaFactory(create));
        builder.Services.AddInferenceEngine(builder.Configuration);
        return builder.Build();
    }

    [Fact]
    public async Task Loads_the_backend_in_the_background_then_serves_and_disposes_it_on_stop()
    {
        var backend = new FakeModelBackend();
        using var loading = new ManualResetEventSlim();
        using IHost host = Build(_ =>
        {
            loading.Wait(EngineTestKit.TestTimeout);
            return backend;
        });
        await host.StartAsync();
        var engine = host.Services.GetRequiredService<IInferenceEngine>();
        Assert.Same(engine, host.Services.GetRequiredService<InferenceEngine>());
        Assert.False(engine.IsReady); // the host is up while the model loads
        Assert.Equal(InferenceErrorKind.ModelNotReady,
            Assert.Throws<InferenceException>(() => engine.Generate(EngineTestKit.Request("a"), CancellationToken.None)).Kind);

        loading.Set();
        await EngineTestKit.WaitFor(engine, _ => engine.IsReady);
        var result = await EngineTestKit.Run(engine, EngineTestKit.Request("abc", 3));
        Assert.Equal(3, result.Final.Usage!.CompletionTokens);

        await host.StopAsync();
        Assert.True(backend.Disposed);
        Assert.False(engine.IsReady);
    }

    [Fact]
    public async Task A_load_failure_stops_the_application_with_exit_code_1()
    {
        using IHost host = Build(_ => throw new IOException("not a GGUF file"));
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        await host.StartAsync();
        await Task.Delay(Timeout.Infinite, lifetime.ApplicationStopping).ContinueWith(_ => { }).WaitAsync(EngineTestKit.TestTimeout);
        Assert.Equal(1, Environment.ExitCode);
        await host.StopAsync();
    }

    [Fact]
    public void Invalid_options_fail_at_startup()
    {
        using IHost host = Build(_ => new FakeModelBackend(), new Dictionary<string, string?>
        {
            ["Model:Path"] = _model,
            ["Engine:MaxSequences"] = "0",
        });
        var ex = Assert.ThrowsAny<Exception>(() => host.StartAsync().GetAwaiter().GetResult());
        Assert.Contains("Engine:MaxSequences", ex.Message);
    }

    [Fact]
    public void Missing_model_file_fails_at_startup()
    {
        using IHost host = Build(_ => new FakeModelBackend(), new Dictionary<string, string?> { ["Model:Path"] = _model + ".missing" });
        var ex = Assert.ThrowsAny<Exception>(() => host.StartAsync().GetAwaiter().GetResult());
        Assert.Contains("Model:Path", ex.ToString());
    }

    private sealed class LambdaFactory(Func<CancellationToken, IModelBackend> create) : IModelBackendFactory
    {
        public IModelBackend Create(CancellationToken cancellationToken) => create(cancellationToken);
    }
}

[CollectionDefinition(nameof(ExitCodeCollection), DisableParallelization = true)]
public sealed class ExitCodeCollection;
