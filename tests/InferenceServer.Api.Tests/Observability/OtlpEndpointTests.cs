using InferenceServer.Api.Observability.Metrics;
using Microsoft.Extensions.Configuration;
using OpenTelemetry.Exporter;

namespace InferenceServer.Api.Tests.Observability;

public sealed class OtlpEndpointTests
{
    private static IConfiguration Config(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void No_endpoint_means_no_otlp()
    {
        Assert.Null(OtlpEndpoint.From(Config()));
        Assert.Null(OtlpEndpoint.From(Config(("OpenTelemetry:OtlpEndpoint", ""))));
    }

    [Fact]
    public void Standard_environment_variable_lets_the_exporter_configure_itself()
    {
        var otlp = OtlpEndpoint.From(Config(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317")));
        Assert.NotNull(otlp);
        Assert.Null(otlp.Endpoint);
    }

    [Fact]
    public void Http_protobuf_endpoint_gets_the_signal_path()
    {
        var otlp = OtlpEndpoint.From(Config(
            ("OpenTelemetry:OtlpEndpoint", "http://collector:4318/"), ("OpenTelemetry:OtlpProtocol", "http/protobuf")))!;
        var options = new OtlpExporterOptions();
        otlp.Apply(options, "v1/traces");
        Assert.Equal(OtlpExportProtocol.HttpProtobuf, options.Protocol);
        Assert.Equal(new Uri("http://collector:4318/v1/traces"), options.Endpoint);

        var grpc = OtlpEndpoint.From(Config(("OpenTelemetry:OtlpEndpoint", "http://collector:4317")))!;
        var grpcOptions = new OtlpExporterOptions();
        grpc.Apply(grpcOptions, "v1/traces");
        Assert.Equal(new Uri("http://collector:4317"), grpcOptions.Endpoint);
    }

    [Fact]
    public void Bad_settings_stop_startup_with_a_clear_message()
    {
        var protocol = Assert.Throws<InvalidOperationException>(() => OtlpEndpoint.From(Config(("OpenTelemetry:OtlpProtocol", "udp"))));
        Assert.Contains("OtlpProtocol", protocol.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => OtlpEndpoint.From(Config(("OpenTelemetry:OtlpEndpoint", "not a uri"))));
    }
}
