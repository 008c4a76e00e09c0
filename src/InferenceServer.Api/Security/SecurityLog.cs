namespace InferenceServer.Api.Security;

/// <summary>Source-generated log messages of the security edge (event ids 2100-2149). Keys are never logged.</summary>
internal static partial class SecurityLog
{
    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "API keys on: {KeyCount} key(s) accepted; /metrics {MetricsAccess}")]
    public static partial void KeysEnabled(ILogger logger, int keyCount, string metricsAccess);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Listening on {Addresses}, beyond loopback, with no API keys: anyone who can reach this address can use the model. Set Security:ApiKeys, Security:ApiKeysFile or INFERENCESERVER_API_KEYS.")]
    public static partial void ExposedWithoutKeys(ILogger logger, string addresses);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "CORS allows {Origins}")]
    public static partial void CorsEnabled(ILogger logger, string origins);
}
