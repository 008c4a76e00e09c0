using System.Diagnostics;
using System.Diagnostics.Metrics;
using InferenceServer.Core.Engine;
using InferenceServer.Core.Generation;
using N = InferenceServer.Core.Diagnostics.InferenceMetricsNames;

namespace InferenceServer.Core.Diagnostics;

/// <summary>
/// The "InferenceServer" meter: per-request histograms and counters (<see cref="IRequestMetrics"/>) following the
/// OpenTelemetry GenAI semantic conventions, plus observable gauges that read the engine's
/// <see cref="EngineSnapshot"/> at collection time (one source of truth for the queue and KV-cache state).
/// </summary>
public sealed class InferenceMetrics : IRequestMetrics
{
    private readonly Histogram<double> _requestDuration;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _timePerOutputToken;
    private readonly Histogram<double> _queueTime;
    private readonly Histogram<int> _tokenUsage;
    private readonly Counter<long> _promptTokens;
    private readonly Counter<long> _cachedPromptTokens;
    private readonly Counter<long> _generationTokens;
    private readonly Counter<long> _requests;
    private readonly IInferenceEngine _engine;

    public InferenceMetrics(IMeterFactory meterFactory, IInferenceEngine engine, Embeddings.EmbeddingService? embeddings = null)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _engine = engine ?? throw new ArgumentNullException(nameof(engine));
        var meter = meterFactory.Create(N.MeterName);

        _requestDuration = meter.CreateHistogram(N.RequestDuration, "s",
            "Time from the request's arrival to its last byte.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = InferenceMetricsBuckets.RequestDuration });
        _timeToFirstToken = meter.CreateHistogram(N.TimeToFirstToken, "s",
            "Time from submission to the first generated token (queue + prefill).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = InferenceMetricsBuckets.TimeToFirstToken });
        _timePerOutputToken = meter.CreateHistogram(N.TimePerOutputToken, "s",
            "Time per output token after the first one (decode speed seen by one sequence).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = InferenceMetricsBuckets.TimePerOutputToken });
        _queueTime = meter.CreateHistogram(N.QueueTime, "s",
            "Time a sequence waited in the admission queue before it got a slot.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = InferenceMetricsBuckets.TimeToFirstToken });
        _tokenUsage = meter.CreateHistogram(N.TokenUsage, "{token}",
            "Tokens per request, by gen_ai.token.type (input = prompt, output = completion).",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = InferenceMetricsBuckets.TokenUsage });
        _promptTokens = meter.CreateCounter<long>(N.PromptTokens, "{token}", "Prompt tokens of finished requests.");
        _cachedPromptTokens = meter.CreateCounter<long>(N.CachedPromptTokens, "{token}",
            "Prompt tokens served from the KV cache (prefix reuse) instead of being decoded.");
        _generationTokens = meter.CreateCounter<long>(N.GenerationTokens, "{token}", "Generated tokens of finished requests.");
        _requests = meter.CreateCounter<long>(N.Requests, "{request}",
            "Finished requests by finish reason, or by error.type when they failed.");

        meter.CreateObservableGauge(N.RequestsWaiting, () => Observe(s => s.Waiting), "{request}",
            "Requests waiting in the admission queue for a sequence slot.");
        meter.CreateObservableGauge(N.RequestsRunning, () => Observe(s => s.Running), "{request}",
            "Sequences prefilling or generating in the engine loop.");
        meter.CreateObservableGauge(N.KvCacheUsage, () => Observe(s => s.KvCacheUsage), "1",
            "Fraction (0-1) of the KV-cache cells in use.");
        meter.CreateObservableGauge(N.KvCacheCellsUsed, () => Observe(s => s.KvCellsUsed), "{cell}",
            "KV-cache cells in use by all sequences.");
        meter.CreateObservableGauge(N.KvCacheCellsCapacity, () => Observe(s => s.KvCellsTotal), "{cell}",
            "KV-cache cells of the context.");
        meter.CreateObservableGauge(N.HostPrefixCacheUsage, () => Observe(s => s.HostPrefixBytes), "By",
            "Bytes of KV state held by the prefix cache's host-memory tier (Engine:PrefixCacheHostMiB).");
        meter.CreateObservableGauge(N.HostPrefixCacheEntries, () => Observe(s => s.HostPrefixEntries), "{prefix}",
            "Cached prefixes held by the prefix cache's host-memory tier.");
        meter.CreateObservableCounter(N.DecodeSteps, () => Observe(s => s.DecodeSteps), "{step}",
            "Decode steps (llama_decode calls) of the engine loop.");
        meter.CreateObservableCounter(N.StepTime, ObserveStepTime, "s",
            "Engine-loop time by step phase (schedule, fill, decode, sample, output, bookkeeping).");
        if (embeddings is not null)
        {
            meter.CreateObservableGauge(N.EmbeddingRequestsWaiting, () => embeddings.Waiting, "{request}",
                "Embedding requests queued for the embedding worker (separate from the generation queue).");
        }
    }

    public void Record(RequestOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var tags = BaseTags(outcome);
        if (outcome.ErrorType is not null)
        {
            tags.Add(N.ErrorTypeAttribute, outcome.ErrorType);
        }

        _requestDuration.Record(outcome.Duration.TotalSeconds, tags);

        var requestTags = tags;
        if (outcome.ErrorType is null && outcome.FinishReason is { } reason)
        {
            requestTags.Add(N.FinishReasonAttribute, FinishReasonValue(reason));
        }

        _requests.Add(1, requestTags);

        var baseTags = BaseTags(outcome);
        if (outcome.Usage is { } usage)
        {
            RecordUsage(usage, baseTags, inputOnly: outcome.Operation is GenerationOperation.Embeddings or GenerationOperation.Score);
        }

        if (outcome.Timings is { } timings)
        {
            RecordTimings(timings, outcome.Usage, baseTags);
        }
    }

    private void RecordUsage(Usage usage, TagList baseTags, bool inputOnly)
    {
        var input = baseTags;
        input.Add(N.TokenTypeAttribute, N.TokenTypeInput);
        _tokenUsage.Record(usage.PromptTokens, input);
        _promptTokens.Add(usage.PromptTokens, baseTags);
        if (inputOnly)
        {
            // Embeddings have input tokens only (OpenTelemetry GenAI: no output token usage for this operation).
            return;
        }

        var output = baseTags;
        output.Add(N.TokenTypeAttribute, N.TokenTypeOutput);
        _tokenUsage.Record(usage.CompletionTokens, output);

        _generationTokens.Add(usage.CompletionTokens, baseTags);
        if (usage.CachedPromptTokens > 0)
        {
            _cachedPromptTokens.Add(usage.CachedPromptTokens, baseTags);
        }
    }

    private void RecordTimings(GenerationTimings timings, Usage? usage, TagList baseTags)
    {
        _queueTime.Record(timings.Queued.TotalSeconds, baseTags);

        var generated = usage?.CompletionTokens ?? 0;
        if (generated < 1)
        {
            // No token was sampled: there is no first-token time to report.
            return;
        }

        _timeToFirstToken.Record(timings.TimeToFirstToken.TotalSeconds, baseTags);
        if (generated >= 2)
        {
            var decode = timings.Total - timings.TimeToFirstToken;
            _timePerOutputToken.Record(Math.Max(0, decode.TotalSeconds) / (generated - 1), baseTags);
        }
    }

    private static TagList BaseTags(RequestOutcome outcome) => new()
    {
        { N.OperationAttribute, OperationValue(outcome.Operation) },
        { N.ProviderAttribute, N.ProviderName },
        { N.RequestModelAttribute, outcome.RequestedModel },
    };

    /// <summary>The gen_ai.operation.name value of an operation.</summary>
    public static string OperationValue(GenerationOperation operation) => operation switch
    {
        GenerationOperation.Chat => N.OperationChat,
        GenerationOperation.TextCompletion => N.OperationTextCompletion,
        GenerationOperation.Embeddings => N.OperationEmbeddings,
        GenerationOperation.Score => N.OperationScore,
        _ => operation.ToString().ToLowerInvariant(),
    };

    /// <summary>The finish_reason label value (OpenAI spelling).</summary>
    public static string FinishReasonValue(FinishReason reason) => reason switch
    {
        FinishReason.Stop => "stop",
        FinishReason.Length => "length",
        FinishReason.Cancelled => "cancelled",
        _ => reason.ToString().ToLowerInvariant(),
    };

    private IEnumerable<Measurement<double>> ObserveStepTime()
    {
        EngineSnapshot? snapshot = TrySnapshot();
        return snapshot is null
            ? []
            : snapshot.StepSeconds.Select(p => new Measurement<double>(p.Value,
                new KeyValuePair<string, object?>(N.PhaseAttribute, p.Key.ToString().ToLowerInvariant())));
    }

    private EngineSnapshot? TrySnapshot()
    {
        try
        {
            return _engine.GetSnapshot();
        }
        catch (Exception ex) when (ex is InvalidOperationException or Errors.InferenceException or ObjectDisposedException)
        {
            // Not started yet or already disposed: report nothing rather than a made-up value.
            return null;
        }
    }

    private IEnumerable<Measurement<T>> Observe<T>(Func<EngineSnapshot, T> select)
        where T : struct =>
        TrySnapshot() is { } snapshot ? [new Measurement<T>(select(snapshot))] : [];
}
