using System.Diagnostics.Metrics;
using InferenceServer.Core.Diagnostics;
using InferenceServer.Core.Generation;
using Microsoft.Extensions.DependencyInjection;
using N = InferenceServer.Core.Diagnostics.InferenceMetricsNames;

namespace InferenceServer.Api.Tests.Observability;

public sealed class InferenceMetricsTests : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly FakeInferenceEngine _engine = new();
    private readonly MeasurementRecorder _recorder;
    private readonly InferenceMetrics _metrics;

    public InferenceMetricsTests()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = _services.GetRequiredService<IMeterFactory>();
        _recorder = new MeasurementRecorder(factory, N.MeterName);
        _metrics = new InferenceMetrics(factory, _engine);
    }

    public void Dispose()
    {
        _recorder.Dispose();
        _services.Dispose();
    }

    private static RequestOutcome Success(int prompt = 10, int completion = 5) => new(
        GenerationOperation.Chat,
        "tiny",
        Streaming: true,
        Duration: TimeSpan.FromSeconds(1.5),
        Usage: new Usage(prompt, completion, CachedPromptTokens: 4),
        Timings: new GenerationTimings(
            Queued: TimeSpan.FromMilliseconds(20),
            TimeToFirstToken: TimeSpan.FromMilliseconds(300),
            Total: TimeSpan.FromMilliseconds(1100),
            Prefill: TimeSpan.FromMilliseconds(280)),
        FinishReason: FinishReason.Stop,
        ErrorType: null);

    [Fact]
    public void Success_records_gen_ai_histograms_with_convention_attributes()
    {
        _metrics.Record(Success());

        var duration = Assert.Single(_recorder.For(N.RequestDuration));
        Assert.Equal(1.5, duration.Value, 6);
        Assert.Equal("chat", duration.Tags[N.OperationAttribute]);
        Assert.Equal("inferenceserver", duration.Tags[N.ProviderAttribute]);
        Assert.Equal("tiny", duration.Tags[N.RequestModelAttribute]);
        Assert.False(duration.Tags.ContainsKey(N.ErrorTypeAttribute));

        Assert.Equal(0.3, Assert.Single(_recorder.For(N.TimeToFirstToken)).Value, 6);
        // (1.1 s total - 0.3 s first token) / (5 - 1) tokens.
        Assert.Equal(0.2, Assert.Single(_recorder.For(N.TimePerOutputToken)).Value, 6);
        Assert.Equal(0.02, Assert.Single(_recorder.For(N.QueueTime)).Value, 6);
    }

    [Fact]
    public void Token_usage_is_split_by_token_type_and_counted()
    {
        _metrics.Record(Success(prompt: 12, completion: 7));

        var usage = _recorder.For(N.TokenUsage);
        Assert.Equal(2, usage.Count);
        Assert.Equal(12, usage.Single(u => (string?)u.Tags[N.TokenTypeAttribute] == "input").Value);
        Assert.Equal(7, usage.Single(u => (string?)u.Tags[N.TokenTypeAttribute] == "output").Value);
        Assert.Equal(12, Assert.Single(_recorder.For(N.PromptTokens)).Value);
        Assert.Equal(7, Assert.Single(_recorder.For(N.GenerationTokens)).Value);
        Assert.Equal(4, Assert.Single(_recorder.For(N.CachedPromptTokens)).Value);

        var request = Assert.Single(_recorder.For(N.Requests));
        Assert.Equal(1, request.Value);
        Assert.Equal("stop", request.Tags[N.FinishReasonAttribute]);
    }

    [Fact]
    public void Failure_carries_error_type_and_skips_token_timings()
    {
        _metrics.Record(new RequestOutcome(
            GenerationOperation.TextCompletion, "tiny", Streaming: false, TimeSpan.FromMilliseconds(5),
            Usage: null, Timings: null, FinishReason: null, ErrorType: "invalid_request_error"));

        var duration = Assert.Single(_recorder.For(N.RequestDuration));
        Assert.Equal("text_completion", duration.Tags[N.OperationAttribute]);
        Assert.Equal("invalid_request_error", duration.Tags[N.ErrorTypeAttribute]);
        var request = Assert.Single(_recorder.For(N.Requests));
        Assert.Equal("invalid_request_error", request.Tags[N.ErrorTypeAttribute]);
        Assert.False(request.Tags.ContainsKey(N.FinishReasonAttribute));
        Assert.Empty(_recorder.For(N.TimeToFirstToken));
        Assert.Empty(_recorder.For(N.TokenUsage));
    }

    [Fact]
    public void Single_token_answer_has_first_token_time_but_no_time_per_output_token()
    {
        _metrics.Record(Success(completion: 1));

        Assert.Single(_recorder.For(N.TimeToFirstToken));
        Assert.Empty(_recorder.For(N.TimePerOutputToken));
    }

    [Fact]
    public void Histograms_carry_the_conventions_bucket_advice_in_seconds()
    {
        var ttft = Assert.IsType<Histogram<double>>(_recorder.Instruments[N.TimeToFirstToken]);
        Assert.Equal("s", ttft.Unit);
        Assert.Equal(
            [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0],
            ttft.Advice!.HistogramBucketBoundaries!);

        var duration = Assert.IsType<Histogram<double>>(_recorder.Instruments[N.RequestDuration]);
        Assert.Equal(81.92, duration.Advice!.HistogramBucketBoundaries![^1]);
        Assert.Equal(14, duration.Advice.HistogramBucketBoundaries.Count);

        var tpot = Assert.IsType<Histogram<double>>(_recorder.Instruments[N.TimePerOutputToken]);
        Assert.Equal(13, tpot.Advice!.HistogramBucketBoundaries!.Count);

        var tokens = Assert.IsType<Histogram<int>>(_recorder.Instruments[N.TokenUsage]);
        Assert.Equal("{token}", tokens.Unit);
        Assert.Equal(67108864, tokens.Advice!.HistogramBucketBoundaries![^1]);
    }

    [Fact]
    public void Gauges_read_the_engine_snapshot_at_collection_time()
    {
        _engine.Snapshot = FakeInferenceEngine.Empty(running: 3, waiting: 5, kvUsed: 64, kvTotal: 256);
        _recorder.CollectObservables();

        Assert.Equal(5, Assert.Single(_recorder.For(N.RequestsWaiting)).Value);
        Assert.Equal(3, Assert.Single(_recorder.For(N.RequestsRunning)).Value);
        Assert.Equal(0.25, Assert.Single(_recorder.For(N.KvCacheUsage)).Value, 6);
        Assert.Equal(64, Assert.Single(_recorder.For(N.KvCacheCellsUsed)).Value);
        Assert.Equal(256, Assert.Single(_recorder.For(N.KvCacheCellsCapacity)).Value);

        _engine.Snapshot = FakeInferenceEngine.Empty(waiting: 1);
        _recorder.CollectObservables();
        Assert.Equal([5, 1], _recorder.For(N.RequestsWaiting).Select(r => r.Value));
    }
}
