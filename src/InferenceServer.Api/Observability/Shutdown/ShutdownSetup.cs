using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace InferenceServer.Api.Observability.Shutdown;

/// <summary>Registers the drain on SIGTERM and makes the host's shutdown timeout outlast it.</summary>
public static class ShutdownSetup
{
    public static WebApplicationBuilder AddServerShutdown(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ShutdownOptions>()
            .Bind(builder.Configuration.GetSection(ShutdownOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<DrainState>();
        builder.Services.AddHostedService<DrainOnShutdownService>();
        builder.Services.AddOptions<HostOptions>()
            .PostConfigure<IOptions<ShutdownOptions>>((host, shutdown) =>
            {
                var needed = TimeSpan.FromSeconds(shutdown.Value.DrainTimeoutSeconds + shutdown.Value.StopGraceSeconds);
                if (host.ShutdownTimeout < needed)
                {
                    host.ShutdownTimeout = needed;
                }
            });
        return builder;
    }

    public static WebApplication UseServerDraining(this WebApplication app)
    {
        app.UseMiddleware<DrainingMiddleware>();
        return app;
    }
}
