namespace InferenceServer.Api.Security;

/// <summary>The "Security" section: API keys, CORS and per-key rate limits. Everything is off by default (an
/// open server on loopback, as before); see README "Security".</summary>
public sealed class SecurityOptions
{
    public const string SectionName = "Security";

    /// <summary>Environment variable with more keys (comma or newline separated), for containers.</summary>
    public const string ApiKeysEnvironmentVariable = "INFERENCESERVER_API_KEYS";

    /// <summary>Accepted bearer keys. Any key here, in <see cref="ApiKeysFile"/> or in the environment variable
    /// turns authentication on for every API route.</summary>
    public string[] ApiKeys { get; set; } = [];

    /// <summary>A file with one key per line (blank lines and lines starting with '#' ignored), e.g. a mounted
    /// Kubernetes Secret.</summary>
    public string? ApiKeysFile { get; set; }

    /// <summary>Whether GET /metrics needs a key too when keys are on (false: scrapers need none).</summary>
    public bool ProtectMetrics { get; set; }

    /// <summary>Origins (scheme://host[:port]) whose pages may call the API from a browser. None by default.</summary>
    public string[] CorsOrigins { get; set; } = [];

    public RateLimitOptions RateLimit { get; set; } = new();
}

/// <summary>"Security:RateLimit": limits per API key (per client IP address when keys are off). 0 turns a limit off.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Requests one key may start per minute (fixed one-minute windows).</summary>
    public int RequestsPerMinute { get; set; }

    /// <summary>Requests one key may have in flight at once (a stream counts until it ends).</summary>
    public int ConcurrentRequests { get; set; }
}
