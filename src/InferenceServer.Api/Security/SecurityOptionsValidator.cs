using Microsoft.Extensions.Options;

namespace InferenceServer.Api.Security;

/// <summary>Stops the server at startup on security settings that cannot be what the operator meant.</summary>
public sealed class SecurityOptionsValidator : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        var failures = new List<string>();
        if (options.ApiKeys.Any(string.IsNullOrWhiteSpace))
        {
            failures.Add("Security:ApiKeys must not contain empty keys.");
        }

        if (options.ApiKeysFile is { Length: > 0 } file && !File.Exists(file))
        {
            failures.Add($"Security:ApiKeysFile '{file}' does not exist.");
        }

        foreach (var origin in options.CorsOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/" || origin.EndsWith('/'))
            {
                failures.Add($"Security:CorsOrigins entry '{origin}' must be an origin such as https://chat.example.com (scheme, host, optional port; no path or trailing slash).");
            }
        }

        if (options.RateLimit.RequestsPerMinute < 0)
        {
            failures.Add("Security:RateLimit:RequestsPerMinute must be 0 (off) or positive.");
        }

        if (options.RateLimit.ConcurrentRequests < 0)
        {
            failures.Add("Security:RateLimit:ConcurrentRequests must be 0 (off) or positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
