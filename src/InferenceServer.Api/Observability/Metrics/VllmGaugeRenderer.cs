using System.Globalization;
using System.Text;
using InferenceServer.Core.Engine;

namespace InferenceServer.Api.Observability.Metrics;

/// <summary>
/// Renders the few gauges Kubernetes inference routers read under vLLM's names (Gateway API Inference Extension
/// endpoint picker, llm-d, vLLM production-stack router). OpenTelemetry .NET rejects ':' in instrument names, so
/// these lines are rendered from the same <see cref="EngineSnapshot"/> the OTel gauges read and appended to the
/// exporter's output.
/// </summary>
public static class VllmGaugeRenderer
{
    public const string NumRequestsWaiting = "vllm:num_requests_waiting";
    public const string NumRequestsRunning = "vllm:num_requests_running";
    public const string KvCacheUsagePerc = "vllm:kv_cache_usage_perc";
    public const string GpuCacheUsagePerc = "vllm:gpu_cache_usage_perc";

    private const string EofMarker = "# EOF";

    /// <summary>The gauge families (HELP, TYPE, one sample each with a model_name label), in the text format
    /// shared by Prometheus 0.0.4 and OpenMetrics 1.0.</summary>
    public static string Render(EngineSnapshot snapshot, string modelName)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var labels = "{model_name=\"" + EscapeLabelValue(modelName) + "\"}";
        var text = new StringBuilder(1024);
        AppendGauge(text, NumRequestsRunning, "Number of requests in model execution batches.", labels, snapshot.Running);
        AppendGauge(text, NumRequestsWaiting, "Number of requests waiting to be processed.", labels, snapshot.Waiting);
        AppendGauge(text, KvCacheUsagePerc, "KV-cache usage. 1 means 100 percent usage.", labels, snapshot.KvCacheUsage);
        AppendGauge(text, GpuCacheUsagePerc,
            "KV-cache usage. 1 means 100 percent usage. Same value as vllm:kv_cache_usage_perc, for older routers.",
            labels, snapshot.KvCacheUsage);
        return text.ToString();
    }

    /// <summary>Adds <paramref name="lines"/> to an exposition: before the OpenMetrics "# EOF" line when there is
    /// one (it must stay last), else at the end.</summary>
    public static string InsertBeforeEof(string exposition, string lines)
    {
        ArgumentNullException.ThrowIfNull(exposition);
        ArgumentNullException.ThrowIfNull(lines);
        var eof = FindEofLine(exposition);
        if (eof >= 0)
        {
            return string.Concat(exposition.AsSpan(0, eof), lines, exposition.AsSpan(eof));
        }

        return exposition.Length == 0 || exposition.EndsWith('\n')
            ? exposition + lines
            : exposition + "\n" + lines;
    }

    /// <summary>Escapes a label value: backslash, double quote and line feed.</summary>
    public static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>Formats a sample value the way Prometheus parses it (invariant, shortest round-trip).</summary>
    public static string FormatValue(double value) => value switch
    {
        double.NaN => "NaN",
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static void AppendGauge(StringBuilder text, string name, string help, string labels, double value)
    {
        text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(help)).Append('\n');
        text.Append("# TYPE ").Append(name).Append(" gauge\n");
        text.Append(name).Append(labels).Append(' ').Append(FormatValue(value)).Append('\n');
    }

    private static string EscapeHelp(string help) =>
        help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static int FindEofLine(string exposition)
    {
        if (exposition.StartsWith(EofMarker, StringComparison.Ordinal) && IsLineEnd(exposition, EofMarker.Length))
        {
            return 0;
        }

        var search = exposition.Length;
        while (search > 0)
        {
            var index = exposition.LastIndexOf("\n" + EofMarker, search - 1, StringComparison.Ordinal);
            if (index < 0)
            {
                return -1;
            }

            if (IsLineEnd(exposition, index + 1 + EofMarker.Length))
            {
                return index + 1;
            }

            search = index;
        }

        return -1;
    }

    private static bool IsLineEnd(string text, int index) => index >= text.Length || text[index] is '\n' or '\r';
}
