using InferenceServer.Core.Engine;
using Microsoft.Extensions.Logging;

namespace InferenceServer.LlamaSharp;

/// <summary>Source-generated log methods of the LLamaSharp backend. Event ids 3000-3099 belong to this project.</summary>
internal static partial class LlamaSharpLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Loading model {Path} (context {ContextSize}, batch {BatchSize}, sequences {MaxSequences}, threads {Threads}, GPU layers {GpuLayers})")]
    public static partial void ModelLoading(ILogger logger, string path, int contextSize, int batchSize, int maxSequences, int threads, int gpuLayers);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Loaded model {ModelId} ({Architecture}, {ParameterCount} parameters, vocab {VocabSize}) with context {ContextSize} in {ElapsedMs} ms; chat template {ChatTemplate}")]
    public static partial void ModelLoaded(ILogger logger, string modelId, string architecture, long parameterCount, int vocabSize, int contextSize, long elapsedMs, string chatTemplate);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "llama.cpp: {Message}")]
    public static partial void NativeDebug(ILogger logger, string message);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "llama.cpp: {Message}")]
    public static partial void NativeWarning(ILogger logger, string message);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "llama_decode failed with code {Code} for a batch of {TokenCount} tokens")]
    public static partial void DecodeFailed(ILogger logger, int code, int tokenCount);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Native llama.cpp library loaded: {Library} (CUDA allowed: {AllowCuda}, GPU offload supported: {GpuOffload})")]
    public static partial void NativeConfigured(ILogger logger, string library, bool allowCuda, bool gpuOffload);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Debug, Message = "Model {Path} failed to load: {Reason} (the caller reports it)")]
    public static partial void ModelLoadFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Information, Message = "ggml CPU backend {Variant} (score {Score}, {Reason}) runs beside LLamaSharp's {PackagedLevel} build, from {Directory}")]
    public static partial void CpuVariantChosen(ILogger logger, string variant, int score, string reason, string packagedLevel, string directory);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Information, Message = "LLamaSharp's packaged CPU build runs ({Reason})")]
    public static partial void CpuVariantNotUsed(ILogger logger, string reason);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Debug, Message = "ggml CPU backend variant {Variant}: score {Score}{Error}")]
    public static partial void CpuVariantScored(ILogger logger, string variant, int? score, string error);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "KV cache: {Layout}, up to {SequenceCells} cells per sequence (training context {TrainingContext}; {How} by Model:UnifiedKvCache)")]
    public static partial void KvLayoutChosen(ILogger logger, string layout, int sequenceCells, int trainingContext, string how);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information, Message = "Warm-up decode {Status} in {ElapsedMs} ms")]
    public static partial void WarmedUp(ILogger logger, DecodeStatus status, long elapsedMs);
}
