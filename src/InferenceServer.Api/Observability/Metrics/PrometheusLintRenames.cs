using OpenTelemetry.Metrics;

namespace InferenceServer.Api.Observability.Metrics;

/// <summary>
/// Renames the few runtime/process gauges whose semantic-convention names end in ".count": rendered for
/// Prometheus they end in "_count", a suffix Prometheus reserves for histograms and summaries, and
/// <c>promtool check metrics</c> flags them. Only the Prometheus-facing stream names change.
/// </summary>
public static class PrometheusLintRenames
{
    public static IReadOnlyDictionary<string, string> Renames { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["dotnet.assembly.count"] = "dotnet.assembly.loaded",
        ["dotnet.process.cpu.count"] = "dotnet.process.cpus",
        ["dotnet.timer.count"] = "dotnet.timer.active",
        // An up-down counter: the exporter types it "counter", so "_count" would be a counter family name.
        ["dotnet.thread_pool.thread.count"] = "dotnet.thread_pool.threads",
        ["process.thread.count"] = "process.threads",
        ["process.unix.file_descriptor.count"] = "process.unix.file_descriptors.open",
    };

    public static MeterProviderBuilder AddPrometheusLintRenames(this MeterProviderBuilder metrics)
    {
        foreach (var (instrument, name) in Renames)
        {
            metrics.AddView(instrument, name);
        }

        return metrics;
    }
}
