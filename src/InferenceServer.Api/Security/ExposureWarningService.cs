using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace InferenceServer.Api.Security;

/// <summary>Once the server listens: logs the security set-up, and warns when it listens beyond loopback (a
/// container binds 0.0.0.0) without API keys.</summary>
internal sealed class ExposureWarningService(IServer server, IHostApplicationLifetime lifetime, ApiKeyStore keys,
    Microsoft.Extensions.Options.IOptions<SecurityOptions> options, ILogger<ExposureWarningService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Report);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Report()
    {
        if (options.Value.CorsOrigins.Length > 0)
        {
            SecurityLog.CorsEnabled(logger, string.Join(", ", options.Value.CorsOrigins));
        }

        if (keys.Enabled)
        {
            SecurityLog.KeysEnabled(logger, keys.Count, options.Value.ProtectMetrics ? "needs a key" : "open");
            return;
        }

        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var exposed = addresses.Where(a => !IsLoopback(a)).ToList();
        if (exposed.Count > 0)
        {
            SecurityLog.ExposedWithoutKeys(logger, string.Join(", ", exposed));
        }
    }

    internal static bool IsLoopback(string address)
    {
        if (!Uri.TryCreate(address.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            return false;
        }

        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }
}
