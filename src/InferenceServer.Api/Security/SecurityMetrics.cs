using System.Diagnostics.Metrics;
using InferenceServer.Core.Diagnostics;

namespace InferenceServer.Api.Security;

/// <summary>Requests the security edge refused, by reason (Prometheus: <c>inferenceserver_http_rejected_total</c>).</summary>
public sealed class SecurityMetrics
{
    public const string InstrumentName = "inferenceserver.http.rejected";
    public const string ReasonAttribute = "reason";
    public const string ReasonApiKey = "invalid_api_key";
    public const string ReasonContentType = "unsupported_media_type";
    public const string ReasonRequestRate = "requests_per_minute";
    public const string ReasonConcurrency = "concurrent_requests";

    private readonly Counter<long> _rejected;

    public SecurityMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(InferenceMetricsNames.MeterName);
        _rejected = meter.CreateCounter<long>(InstrumentName, "{request}", "Requests refused at the HTTP edge (API key, content type, rate limits)");
    }

    public void Rejected(string reason) => _rejected.Add(1, new KeyValuePair<string, object?>(ReasonAttribute, reason));
}
