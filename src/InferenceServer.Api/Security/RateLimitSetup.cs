using System.Globalization;
using System.Threading.RateLimiting;
using InferenceServer.Api.Errors;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace InferenceServer.Api.Security;

/// <summary>
/// Per-key limits with ASP.NET Core's rate limiter: a fixed one-minute window of requests and a concurrency limit,
/// partitioned by API key (by client IP address when keys are off). Only API routes count; health probes, scrapes
/// and the chat page's files do not. A refusal is a 429 with Retry-After and the OpenAI error, counted in
/// <see cref="SecurityMetrics"/>.
/// </summary>
internal static class RateLimitSetup
{
    public static bool Enabled(RateLimitOptions limits) => limits.RequestsPerMinute > 0 || limits.ConcurrentRequests > 0;

    /// <summary>Registers the limiter; its partitions are built from the bound options when the app is built.</summary>
    public static IServiceCollection AddServerRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<SecurityOptions>>((options, security) =>
        {
            var limits = security.Value.RateLimit;
            if (!Enabled(limits))
            {
                return;
            }

            var chain = new List<PartitionedRateLimiter<HttpContext>>();
            if (limits.RequestsPerMinute > 0)
            {
                chain.Add(PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context) is { } key
                    ? RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = limits.RequestsPerMinute,
                        Window = TimeSpan.FromMinutes(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    })
                    : RateLimitPartition.GetNoLimiter("")));
            }

            if (limits.ConcurrentRequests > 0)
            {
                chain.Add(PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context) is { } key
                    ? RateLimitPartition.GetConcurrencyLimiter(key, _ => new ConcurrencyLimiterOptions
                    {
                        PermitLimit = limits.ConcurrentRequests,
                        QueueLimit = 0,
                    })
                    : RateLimitPartition.GetNoLimiter("")));
            }

            options.GlobalLimiter = chain.Count == 1 ? chain[0] : PartitionedRateLimiter.CreateChained([.. chain]);
            options.OnRejected = (context, _) => OnRejected(context, limits);
        });
        return services;
    }

    /// <summary>The partition of an API request: its key's hash prefix, or the client address when keys are off;
    /// null (not limited) for open routes and unrouted requests.</summary>
    private static string? Partition(HttpContext context)
    {
        if (!context.RequiresApiKey())
        {
            return null;
        }

        return context.Items.TryGetValue(ApiKeyMiddleware.AuthenticatedKeyItem, out var key) && key is string partition
            ? "key:" + partition
            : "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
    }

    private static ValueTask OnRejected(OnRejectedContext rejected, RateLimitOptions limits)
    {
        var context = rejected.HttpContext;
        var metrics = context.RequestServices.GetRequiredService<SecurityMetrics>();
        int retryAfter;
        string what;
        if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var window))
        {
            retryAfter = Math.Max(1, (int)Math.Ceiling(window.TotalSeconds));
            what = string.Create(CultureInfo.InvariantCulture, $"{limits.RequestsPerMinute} requests per minute");
            metrics.Rejected(SecurityMetrics.ReasonRequestRate);
        }
        else
        {
            retryAfter = 1;
            what = string.Create(CultureInfo.InvariantCulture, $"{limits.ConcurrentRequests} concurrent requests");
            metrics.Rejected(SecurityMetrics.ReasonConcurrency);
        }

        return new ValueTask(ErrorWriter.WriteAsync(context, SecurityErrors.RateLimited(what, retryAfter)));
    }
}
