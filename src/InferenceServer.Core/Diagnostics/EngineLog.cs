using InferenceServer.Core.Generation;
using Microsoft.Extensions.Logging;

namespace InferenceServer.Core.Diagnostics;

/// <summary>Source-generated log methods of the engine (event ids 1000-1099).</summary>
internal static partial class EngineLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information,
        Message = "Model '{ModelId}' loaded from '{Path}' in {LoadMs:F0} ms: arch {Architecture}, context {ContextSize}, batch {BatchSize}, {MaxSequences} sequence slots, vocab {VocabSize}, {ParameterCount} parameters, {SizeBytes} bytes")]
    public static partial void ModelLoaded(this ILogger logger, string modelId, string path, double loadMs, string architecture,
        int contextSize, int batchSize, int maxSequences, int vocabSize, long parameterCount, long sizeBytes);

    /// <summary>One line on purpose: the reason is the message users act on; the stack trace goes to Debug (1005).</summary>
    [LoggerMessage(EventId = 1001, Level = LogLevel.Critical, Message = "Failed to load model '{Path}': {Reason}")]
    public static partial void ModelLoadFailed(this ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Debug, Message = "Model load failure details")]
    public static partial void ModelLoadFailureDetails(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Loading model '{Path}'")]
    public static partial void ModelLoading(this ILogger logger, string path);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Engine loop started: {Slots} slots, context {ContextSize}, batch {BatchSize}, prefill chunk {MaxPrefillChunk}")]
    public static partial void LoopStarted(this ILogger logger, int slots, int contextSize, int batchSize, int maxPrefillChunk);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Engine loop stopped; {Failed} unfinished sequences failed")]
    public static partial void LoopStopped(this ILogger logger, int failed);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Debug, Message = "Request {RequestId} admitted to slot {SequenceId}: {PromptTokens} prompt tokens, {RecomputeTokens} tokens to compute")]
    public static partial void SequenceAdmitted(this ILogger logger, string requestId, int sequenceId, int promptTokens, int recomputeTokens);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Debug, Message = "Request {RequestId} finished ({FinishReason}) in slot {SequenceId}: {PromptTokens} prompt ({CachedTokens} cached) + {CompletionTokens} completion tokens; queued {QueuedMs:F1} ms, prefill {PrefillMs:F1} ms, first token {FirstTokenMs:F1} ms, total {TotalMs:F1} ms")]
    public static partial void SequenceFinished(this ILogger logger, string requestId, string finishReason, int sequenceId, int promptTokens, int cachedTokens, int completionTokens,
        double queuedMs, double prefillMs, double firstTokenMs, double totalMs);

    /// <summary>Event 1011 with the request's timings (what llama-server prints as prompt eval and eval times).</summary>
    public static void SequenceFinished(this ILogger logger, string requestId, string finishReason, int sequenceId, int promptTokens, int cachedTokens, int completionTokens,
        GenerationTimings timings) =>
        logger.SequenceFinished(requestId, finishReason, sequenceId, promptTokens, cachedTokens, completionTokens, timings.Queued.TotalMilliseconds,
            timings.Prefill.TotalMilliseconds, timings.TimeToFirstToken.TotalMilliseconds, timings.Total.TotalMilliseconds);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Warning, Message = "Preempted request {RequestId} in slot {SequenceId} ({Reason}): {Tokens} tokens will be recomputed")]
    public static partial void SequencePreempted(this ILogger logger, string requestId, int sequenceId, string reason, int tokens);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Debug, Message = "Evicted the cached prefix of slot {SequenceId} ({Tokens} tokens) to free KV cells")]
    public static partial void PrefixEvicted(this ILogger logger, int sequenceId, int tokens);

    [LoggerMessage(EventId = 1015, Level = LogLevel.Debug, Message = "Request {RequestId} reuses {CachedTokens} cached prompt tokens in slot {SequenceId}")]
    public static partial void PrefixReused(this ILogger logger, string requestId, int sequenceId, int cachedTokens);

    [LoggerMessage(EventId = 1016, Level = LogLevel.Debug, Message = "Request {RequestId} moved from slot {FromSequenceId} to slot {SequenceId} with its {Tokens} KV cells, to keep running slots consecutive")]
    public static partial void SequenceMoved(this ILogger logger, string requestId, int fromSequenceId, int sequenceId, int tokens);

    [LoggerMessage(EventId = 1017, Level = LogLevel.Debug, Message = "Saved the cached prefix of slot {SequenceId} ({Tokens} tokens, {StateBytes} bytes) to host memory: kept {Kept}; {Entries} entries, {HostBytes} bytes held")]
    public static partial void PrefixSavedToHost(this ILogger logger, int sequenceId, int tokens, long stateBytes, bool kept, int entries, long hostBytes);

    [LoggerMessage(EventId = 1018, Level = LogLevel.Debug, Message = "Restored a saved prefix into slot {SequenceId}: {CachedTokens} of its {Tokens} tokens reused")]
    public static partial void PrefixRestoredFromHost(this ILogger logger, int sequenceId, int cachedTokens, int tokens);

    [LoggerMessage(EventId = 1024, Level = LogLevel.Warning, Message = "The host-memory {Operation} of slot {SequenceId}'s KV state failed; the prefix is recomputed instead")]
    public static partial void PrefixStateFailed(this ILogger logger, string operation, int sequenceId, Exception exception);

    [LoggerMessage(EventId = 1019, Level = LogLevel.Debug, Message = "A saved prefix of {Tokens} tokens did not fit in the KV cache of slot {SequenceId}; recomputing")]
    public static partial void PrefixRestoreFailed(this ILogger logger, int sequenceId, int tokens);

    [LoggerMessage(EventId = 1025, Level = LogLevel.Debug, Message = "Moved the idle cached prefix of slot {SequenceId} ({Tokens} tokens) out of the KV cache while other sequences decode")]
    public static partial void PrefixShed(this ILogger logger, int sequenceId, int tokens);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Debug, Message = "Request {RequestId} cancelled while waiting")]
    public static partial void WaitingCancelled(this ILogger logger, string requestId);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Error, Message = "Decode failed with {Status} for a batch of {Tokens} tokens; failing {Sequences} sequences")]
    public static partial void DecodeFailed(this ILogger logger, string status, int tokens, int sequences);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Error, Message = "Sequence of request {RequestId} failed")]
    public static partial void SequenceFailed(this ILogger logger, string requestId, Exception exception);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Critical, Message = "Engine loop crashed")]
    public static partial void LoopCrashed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1031, Level = LogLevel.Trace, Message = "Step {Step}: {Tokens} tokens for {Sequences} sequences ({Generating} generating); schedule {ScheduleMs:F2} ms, decode {DecodeMs:F2} ms")]
    public static partial void StepDecoded(this ILogger logger, long step, int tokens, int sequences, int generating, double scheduleMs, double decodeMs);

    [LoggerMessage(EventId = 1030, Level = LogLevel.Information, Message = "Draining: no new requests; {Running} running, {Waiting} waiting")]
    public static partial void DrainStarted(this ILogger logger, int running, int waiting);
}
