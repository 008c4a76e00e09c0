using System.Collections.Concurrent;
using InferenceServer.Core.Diagnostics;
using InferenceServer.Core.Engine;
using InferenceServer.Core.Options;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace InferenceServer.Api.Tests.Infrastructure;

/// <summary>The real Program with a <see cref="FakeInferenceEngine"/>, no hosted background services, a fixed
/// clock and recording metrics. One factory per test class instance keeps engines independent.</summary>
public sealed class ApiFactory : WebApplicationFactory<Program>
{
    public const long Now = 1_750_000_000;

    public FakeInferenceEngine Engine { get; } = new();
    public RecordingMetrics Metrics { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseContentRoot(AppContext.BaseDirectory);
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Model:Aliases:0"] = "tiny-alias",
            ["Engine:RetryAfterSeconds"] = "3",
        }));
        builder.ConfigureTestServices(services =>
        {
            foreach (var hosted in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.FullName?.StartsWith("Microsoft.", StringComparison.Ordinal) != true).ToList())
            {
                services.Remove(hosted);
            }

            // No model file in these tests: the fake engine stands in, so the path check must not stop the host.
            services.RemoveAll<IValidateOptions<ModelOptions>>();
            services.RemoveAll<IInferenceEngine>();
            services.AddSingleton<IInferenceEngine>(Engine);
            services.RemoveAll<IRequestMetrics>();
            services.AddSingleton<IRequestMetrics>(Metrics);
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(new FixedTimeProvider(DateTimeOffset.FromUnixTimeSeconds(Now)));
        });
    }
}

public sealed class RecordingMetrics : IRequestMetrics
{
    public ConcurrentQueue<RequestOutcome> Outcomes { get; } = new();

    public void Record(RequestOutcome outcome) => Outcomes.Enqueue(outcome);
}

public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

