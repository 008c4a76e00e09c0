namespace InferenceServer.Api.Limits;

/// <summary>The "Limits" section: hard bounds on what one request may cost the server.</summary>
public sealed class LimitsOptions
{
    public const string SectionName = "Limits";

    /// <summary>Largest request body in bytes (Kestrel's MaxRequestBodySize for every request). 4 MiB holds a chat
    /// that fills a 128K-token context; more is refused with 413 before it is read.</summary>
    public long MaxRequestBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Seconds a streamed response may wait on a client that stopped reading (its socket and the
    /// server's response buffer are full) before the request is cancelled and the connection closed.</summary>
    public int StalledClientTimeoutSeconds { get; set; } = 30;
}

public sealed class LimitsOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<LimitsOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, LimitsOptions options)
    {
        var failures = new List<string>();
        if (options.MaxRequestBodyBytes < 1024)
        {
            failures.Add("Limits:MaxRequestBodyBytes must be at least 1024.");
        }

        if (options.StalledClientTimeoutSeconds < 1)
        {
            failures.Add("Limits:StalledClientTimeoutSeconds must be at least 1.");
        }

        return failures.Count == 0
            ? Microsoft.Extensions.Options.ValidateOptionsResult.Success
            : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(failures);
    }
}
