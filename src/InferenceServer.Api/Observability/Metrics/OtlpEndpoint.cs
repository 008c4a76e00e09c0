using OpenTelemetry.Exporter;

namespace InferenceServer.Api.Observability.Metrics;

/// <summary>Where OTLP goes, if anywhere: "OpenTelemetry:OtlpEndpoint" (with optional "OpenTelemetry:OtlpProtocol"
/// grpc | http/protobuf), else the standard OTEL_EXPORTER_OTLP_ENDPOINT environment variable. Null: no OTLP.</summary>
public sealed class OtlpEndpoint
{
    private OtlpEndpoint(Uri? endpoint, OtlpExportProtocol? protocol)
    {
        Endpoint = endpoint;
        Protocol = protocol;
    }

    /// <summary>Null when the exporter should read the OTEL_* environment variables itself.</summary>
    public Uri? Endpoint { get; }
    public OtlpExportProtocol? Protocol { get; }

    public static OtlpEndpoint? From(IConfiguration configuration)
    {
        var protocol = configuration["OpenTelemetry:OtlpProtocol"] switch
        {
            null or "" => (OtlpExportProtocol?)null,
            var p when p.Equals("grpc", StringComparison.OrdinalIgnoreCase) => OtlpExportProtocol.Grpc,
            var p when p.Equals("http/protobuf", StringComparison.OrdinalIgnoreCase) => OtlpExportProtocol.HttpProtobuf,
            var p => throw new InvalidOperationException(
                $"OpenTelemetry:OtlpProtocol must be 'grpc' or 'http/protobuf', not '{p}'."),
        };

        var configured = configuration["OpenTelemetry:OtlpEndpoint"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            if (!Uri.TryCreate(configured, UriKind.Absolute, out var uri))
            {
                throw new InvalidOperationException($"OpenTelemetry:OtlpEndpoint is not an absolute URI: '{configured}'.");
            }

            return new OtlpEndpoint(uri, protocol);
        }

        return string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])
            ? null
            : new OtlpEndpoint(null, protocol);
    }

    /// <param name="signalPath">"v1/traces" or "v1/metrics": appended to a configured base endpoint for
    /// http/protobuf, which (unlike the environment variable) is taken verbatim by the exporter.</param>
    public void Apply(OtlpExporterOptions options, string signalPath)
    {
        if (Protocol is { } protocol)
        {
            options.Protocol = protocol;
        }

        if (Endpoint is not null)
        {
            options.Endpoint = Protocol == OtlpExportProtocol.HttpProtobuf
                ? new Uri(Endpoint.AbsoluteUri.TrimEnd('/') + "/" + signalPath)
                : Endpoint;
        }
    }
}
