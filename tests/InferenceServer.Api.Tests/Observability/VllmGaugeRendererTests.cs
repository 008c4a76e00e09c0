using InferenceServer.Api.Observability.Metrics;

namespace InferenceServer.Api.Tests.Observability;

public sealed class VllmGaugeRendererTests
{
    [Fact]
    public void Renders_help_type_and_one_labelled_sample_per_gauge()
    {
        var text = VllmGaugeRenderer.Render(FakeInferenceEngine.Empty(running: 2, waiting: 7, kvUsed: 32, kvTotal: 128), "tiny");

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(12, lines.Length);
        Assert.Contains("# TYPE vllm:num_requests_waiting gauge", lines);
        Assert.Contains("vllm:num_requests_waiting{model_name=\"tiny\"} 7", lines);
        Assert.Contains("vllm:num_requests_running{model_name=\"tiny\"} 2", lines);
        Assert.Contains("vllm:kv_cache_usage_perc{model_name=\"tiny\"} 0.25", lines);
        Assert.Contains("vllm:gpu_cache_usage_perc{model_name=\"tiny\"} 0.25", lines);
        foreach (var name in new[] { "vllm:num_requests_waiting", "vllm:num_requests_running", "vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc" })
        {
            var help = Array.FindIndex(lines, l => l.StartsWith("# HELP " + name + " ", StringComparison.Ordinal));
            Assert.True(help >= 0, name);
            Assert.Equal("# TYPE " + name + " gauge", lines[help + 1]);
            Assert.StartsWith(name + "{", lines[help + 2], StringComparison.Ordinal);
        }

        Assert.EndsWith("\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Escapes_label_values()
    {
        Assert.Equal("a\\\\b\\\"c\\nd", VllmGaugeRenderer.EscapeLabelValue("a\\b\"c\nd"));
        var text = VllmGaugeRenderer.Render(FakeInferenceEngine.Empty(), "my \"model\"");
        Assert.Contains("vllm:num_requests_waiting{model_name=\"my \\\"model\\\"\"} 0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_kv_cache_reports_zero_not_nan()
    {
        var text = VllmGaugeRenderer.Render(FakeInferenceEngine.Empty(kvTotal: 0), "m");
        Assert.Contains("vllm:kv_cache_usage_perc{model_name=\"m\"} 0\n", text, StringComparison.Ordinal);
        Assert.Equal("NaN", VllmGaugeRenderer.FormatValue(double.NaN));
        Assert.Equal("+Inf", VllmGaugeRenderer.FormatValue(double.PositiveInfinity));
        Assert.Equal("0.1", VllmGaugeRenderer.FormatValue(0.1));
    }

    [Fact]
    public void Inserts_before_openmetrics_eof_which_stays_last()
    {
        const string exposition = "# TYPE a gauge\na 1\n# EOF\n";
        var combined = VllmGaugeRenderer.InsertBeforeEof(exposition, "# TYPE vllm:x gauge\nvllm:x 2\n");
        Assert.Equal("# TYPE a gauge\na 1\n# TYPE vllm:x gauge\nvllm:x 2\n# EOF\n", combined);
    }

    [Fact]
    public void Appends_to_prometheus_text_without_eof()
    {
        Assert.Equal("a 1\nb 2\n", VllmGaugeRenderer.InsertBeforeEof("a 1\n", "b 2\n"));
        Assert.Equal("a 1\nb 2\n", VllmGaugeRenderer.InsertBeforeEof("a 1", "b 2\n"));
        // A help text that merely mentions "# EOF" is not the marker.
        Assert.Equal("# HELP a see # EOF\na 1\nb 2\n", VllmGaugeRenderer.InsertBeforeEof("# HELP a see # EOF\na 1\n", "b 2\n"));
        Assert.Equal("b 2\n# EOF", VllmGaugeRenderer.InsertBeforeEof("# EOF", "b 2\n"));
    }
}
