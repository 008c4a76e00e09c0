namespace InferenceServer.Core.Diagnostics;

/// <summary>
/// Instrument and attribute names of the "InferenceServer" meter. The gen_ai.* names follow the OpenTelemetry GenAI
/// semantic conventions; the OpenTelemetry Prometheus exporter renders "." as "_" and appends the unit
/// (e.g. <c>gen_ai_server_time_to_first_token_seconds_bucket</c>). docs/observability.md lists the rendered names.
/// </summary>
public static class InferenceMetricsNames
{
    public const string MeterName = "InferenceServer";

    /// <summary>The ActivitySource the engine creates its spans on; the Api exports it (traces over OTLP).</summary>
    public const string EngineActivitySourceName = "InferenceServer.Engine";

    /// <summary>gen_ai.provider.name value for this server (the conventions allow a custom value).</summary>
    public const string ProviderName = "inferenceserver";

    public const string RequestDuration = "gen_ai.server.request.duration";
    public const string TimeToFirstToken = "gen_ai.server.time_to_first_token";
    public const string TimePerOutputToken = "gen_ai.server.time_per_output_token";
    public const string TokenUsage = "gen_ai.client.token.usage";
    public const string QueueTime = "inferenceserver.request.queue_time";
    public const string PromptTokens = "inferenceserver.prompt_tokens";
    public const string CachedPromptTokens = "inferenceserver.prompt_tokens.cached";
    public const string GenerationTokens = "inferenceserver.generation_tokens";
    public const string Requests = "inferenceserver.requests";

    public const string RequestsWaiting = "inferenceserver.engine.requests.waiting";
    public const string RequestsRunning = "inferenceserver.engine.requests.running";
    public const string KvCacheUsage = "inferenceserver.engine.kv_cache.usage";
    public const string KvCacheCellsUsed = "inferenceserver.engine.kv_cache.cells.used";
    public const string KvCacheCellsCapacity = "inferenceserver.engine.kv_cache.cells.capacity";
    public const string HostPrefixCacheUsage = "inferenceserver.engine.prefix_cache.host.usage";
    public const string HostPrefixCacheEntries = "inferenceserver.engine.prefix_cache.host.entries";
    public const string StepTime = "inferenceserver.engine.step.time";
    public const string DecodeSteps = "inferenceserver.engine.decode_steps";
    public const string PhaseAttribute = "inferenceserver.phase";
    public const string EmbeddingRequestsWaiting = "inferenceserver.embeddings.requests.waiting";

    public const string OperationAttribute = "gen_ai.operation.name";
    public const string ProviderAttribute = "gen_ai.provider.name";
    public const string RequestModelAttribute = "gen_ai.request.model";
    public const string TokenTypeAttribute = "gen_ai.token.type";
    public const string ErrorTypeAttribute = "error.type";
    public const string FinishReasonAttribute = "inferenceserver.finish_reason";
    public const string StreamingAttribute = "inferenceserver.streaming";

    public const string OperationChat = "chat";
    public const string OperationTextCompletion = "text_completion";
    public const string OperationEmbeddings = "embeddings";
    public const string OperationScore = "score";
    public const string TokenTypeInput = "input";
    public const string TokenTypeOutput = "output";
}
