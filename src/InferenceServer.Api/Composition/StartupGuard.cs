using Microsoft.Extensions.Options;

namespace InferenceServer.Api.Composition;

/// <summary>
/// Runs every ValidateOnStart check before anything resolves options, so bad configuration stops the server with one
/// clear log line per problem and exit code 1 instead of an unhandled exception and a stack trace.
/// </summary>
public static partial class StartupGuard
{
    public static bool ConfigurationIsValid(this WebApplication app)
    {
        try
        {
            app.Services.GetRequiredService<IStartupValidator>().Validate();
            return true;
        }
        catch (Exception ex) when (ex is OptionsValidationException or AggregateException)
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("InferenceServer.Startup");
            var failures = ex is AggregateException aggregate
                ? aggregate.InnerExceptions.OfType<OptionsValidationException>().SelectMany(e => e.Failures)
                : ((OptionsValidationException)ex).Failures;
            InvalidConfiguration(logger, string.Join(" ", failures));
            return false;
        }
    }

    [LoggerMessage(EventId = 4000, Level = LogLevel.Critical, Message = "Invalid configuration, not starting: {Problems}")]
    private static partial void InvalidConfiguration(ILogger logger, string problems);
}
