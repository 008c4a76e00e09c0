using System.Diagnostics;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace InferenceServer.Api.Observability.Logging;

/// <summary>
/// Serilog as the logging provider. The "Serilog" configuration section is read as usual (levels, overrides,
/// enrichers, sinks). When it names no sink, logs go to the console: plain text by default, compact JSON
/// (one event per line, with @tr/@sp trace ids) when "Logging:Format" is "json" (env Logging__Format=json).
/// </summary>
public static class LoggingSetup
{
    public const string FormatKey = "Logging:Format";

    private const string TextTemplate =
        "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    public static WebApplicationBuilder AddServerLogging(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var json = IsJson(configuration[FormatKey]);
        var hasSinks = configuration.GetSection("Serilog:WriteTo").Exists();

        builder.Services.AddSerilog(
            (services, logger) =>
            {
                logger.MinimumLevel.Information()
                    .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
                    .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
                    .ReadFrom.Configuration(configuration)
                    .ReadFrom.Services(services)
                    .Enrich.FromLogContext()
                    .Enrich.With<ControlCharacterEscaper>(); // last: sees every property, client strings included
                if (!hasSinks)
                {
                    if (json)
                    {
                        logger.WriteTo.Console(new RenderedCompactJsonFormatter());
                    }
                    else
                    {
                        logger.WriteTo.Console(outputTemplate: TextTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
                    }
                }
            },
            preserveStaticLogger: true);
        return builder;
    }

    /// <summary>One summary event per request (method, path, status, elapsed) with the request and trace ids;
    /// probes and scrapes are logged at Debug. Bodies (prompts, outputs) are never logged here.</summary>
    public static WebApplication UseServerRequestLogging(this WebApplication app)
    {
        app.UseSerilogRequestLogging(options =>
        {
            // The DI logger: the static Log.Logger is left alone (preserveStaticLogger), so it would drop these.
            options.Logger = app.Services.GetRequiredService<Serilog.ILogger>();
            options.EnrichDiagnosticContext = (diagnostics, http) =>
            {
                diagnostics.Set("RequestId", http.TraceIdentifier);
                if (Activity.Current is { } activity)
                {
                    diagnostics.Set("TraceId", activity.TraceId.ToString());
                    diagnostics.Set("SpanId", activity.SpanId.ToString());
                }

                if (http.Request.Headers.UserAgent.Count > 0)
                {
                    diagnostics.Set("UserAgent", http.Request.Headers.UserAgent.ToString());
                }
            };
            options.GetLevel = (http, _, exception) =>
                exception is not null || http.Response.StatusCode >= 500 ? LogEventLevel.Error
                : IsInfrastructurePath(http.Request.Path) ? LogEventLevel.Debug
                : LogEventLevel.Information;
        });
        return app;
    }

    internal static bool IsJson(string? format) =>
        string.Equals(format, "json", StringComparison.OrdinalIgnoreCase)
        || string.Equals(format, "compact-json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Health probes, scrapes and Swagger: high-volume requests that say nothing about the workload.</summary>
    public static bool IsInfrastructurePath(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/swagger", StringComparison.OrdinalIgnoreCase);
}
