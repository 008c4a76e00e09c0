using System.ComponentModel.DataAnnotations;

namespace InferenceServer.Api.Observability.Shutdown;

/// <summary>The "Shutdown" section: graceful drain on SIGTERM.</summary>
public sealed class ShutdownOptions
{
    public const string SectionName = "Shutdown";

    /// <summary>How long in-flight requests may run on after SIGTERM before the server stops anyway.</summary>
    [Range(0, 3600)]
    public int DrainTimeoutSeconds { get; set; } = 30;

    /// <summary>Retry-After seconds on the 503 answered to new /v1 requests while draining.</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>Seconds the host allows for stopping everything after the drain (HostOptions.ShutdownTimeout =
    /// drain timeout + this).</summary>
    [Range(1, 600)]
    public int StopGraceSeconds { get; set; } = 10;
}
