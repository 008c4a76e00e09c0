using System.Diagnostics;
using InferenceServer.Core.Engine;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Options;
using LLama;
using LLama.Common;
using LLama.Exceptions;
using LLama.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InferenceServer.LlamaSharp;

/// <summary>
/// Loads the configured GGUF model through LLamaSharp and builds one context with
/// <see cref="EngineOptions.MaxSequences"/> sequence slots. Each <see cref="Create"/> call loads a fresh copy.
/// </summary>
public sealed class LlamaSharpBackendFactory : IModelBackendFactory
{
    private readonly ModelOptions _model;
    private readonly EngineOptions _engine;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly NativeLogSink _nativeLog;

    public LlamaSharpBackendFactory(IOptions<ModelOptions> model, IOptions<EngineOptions> engine, ILoggerFactory loggerFactory)
    {
        _model = model.Value;
        _engine = engine.Value;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<LlamaSharpBackendFactory>();
        _nativeLog = new NativeLogSink(loggerFactory.CreateLogger("InferenceServer.LlamaSharp.Native"));
    }

    public IModelBackend Create(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ValidateOptions();

        var path = ResolveModelPath(_model.Path);
        ModelFileCheck.EnsureGguf(path, _model.Path);
        var started = Stopwatch.GetTimestamp();
        var threads = ThreadCount.Resolve(_model.Threads, new FileInfo(path).Length, Environment.ProcessorCount);
        LlamaSharpLog.ModelLoading(_logger, path, _model.ContextSize, _model.BatchSize, _engine.MaxSequences, threads, _model.GpuLayers);

        LLamaWeights? weights = null;
        LLamaContext? context = null;
        var unified = true;
        try
        {
            lock (NativeLibraryGate.Sync)
            {
                if (ConfigureNative())
                {
                    var library = NativeApi.GetLoadedNativeLibrary(NativeLibraryName.LLama)?.Metadata?.ToString() ?? "unknown";
                    LlamaSharpLog.NativeConfigured(_logger, library, _model.GpuLayers != 0, NativeApi.llama_supports_gpu_offload());
                }

                _nativeLog.ClearProblems();
                // Built only now: constructing ModelParams already calls into (and so loads) the native library.
                var parameters = BuildParameters(path, threads);
                weights = LoadWeights(parameters, path);
                cancellationToken.ThrowIfCancellationRequested();
                unified = KvCacheLayout.IsUnified(_model.UnifiedKvCache, _model.ContextSize, _engine.MaxSequences, weights.ContextSize);
                parameters.KVUnified = unified;
                context = CreateContext(weights, parameters, path);
            }

            var template = ChatTemplateSelection.Select(weights.NativeHandle, _model, path, TimeProvider.System);
            var tokenizer = new LlamaSharpTokenizer(weights.NativeHandle);
            var metadata = BuildMetadata(path, weights, context.NativeHandle, unified);
            LlamaSharpLog.KvLayoutChosen(_logger, unified ? "one pool for all slots" : "one stream per slot",
                metadata.SequenceContextSize, metadata.TrainingContextLength, _model.UnifiedKvCache is null ? "chosen" : "configured");
            var backend = new LlamaSharpBackend(weights, context, metadata, tokenizer, template,
                _loggerFactory.CreateLogger<LlamaSharpBackend>());
            var warmUpStarted = Stopwatch.GetTimestamp();
            var warmUp = backend.WarmUp();
            LlamaSharpLog.WarmedUp(_logger, warmUp, (long)Stopwatch.GetElapsedTime(warmUpStarted).TotalMilliseconds);

            LlamaSharpLog.ModelLoaded(_logger, metadata.Id, metadata.Architecture, metadata.ParameterCount, metadata.VocabSize,
                metadata.ContextSize, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, template.Name);
            return backend;
        }
        catch (Exception ex)
        {
            lock (NativeLibraryGate.Sync)
            {
                context?.Dispose();
                weights?.Dispose();
            }

            if (ex is not OperationCanceledException)
            {
                LlamaSharpLog.ModelLoadFailed(_logger, path, ex.Message);
            }

            throw;
        }
    }

    private bool ConfigureNative()
    {
        try
        {
            // The directory matters only to the first load (the variants are scored once per process).
            var directory = NativeLibraryConfig.LLama.LibraryHasLoaded ? null : NativeDirectory();
            return NativeLibraryGate.Configure(_nativeLog, allowCuda: _model.GpuLayers != 0, directory);
        }
        catch (Exception ex) when (ex is TypeInitializationException or DllNotFoundException or BadImageFormatException or RuntimeError)
        {
            var reason = (ex.InnerException ?? ex).Message.ReplaceLineEndings(" ").Trim();
            throw new InferenceException(InferenceErrorKind.Internal,
                $"The llama.cpp native library could not be loaded (it needs glibc >= 2.34, GLIBCXX_3.4.29 and libgomp1): {reason}", inner: ex);
        }
    }

    /// <summary>The directory llama.cpp loads from: Model:NativeLibraryDirectory, else the chosen CPU backend variant
    /// beside LLamaSharp's packaged libraries (none when layers go to the GPU: the CUDA build has its own), else null
    /// (LLamaSharp picks its packaged build).</summary>
    private string? NativeDirectory()
    {
        if (!string.IsNullOrWhiteSpace(_model.NativeLibraryDirectory))
        {
            return _model.NativeLibraryDirectory;
        }

        if (_model.GpuLayers != 0)
        {
            LlamaSharpLog.CpuVariantNotUsed(_logger, "layers are offloaded to the GPU");
            return null;
        }

        var level = CpuBackendVariants.PackagedLevel();
        var choice = CpuBackendVariants.ForThisProcess(_model.CpuVariantsDirectory).Prepare(_model.CpuVariant, level);
        foreach (var candidate in choice.Candidates)
        {
            LlamaSharpLog.CpuVariantScored(_logger, candidate.Name, candidate.Score, candidate.Error is null ? "" : $" ({candidate.Error})");
        }

        if (choice.Directory is null || choice.Chosen is null)
        {
            LlamaSharpLog.CpuVariantNotUsed(_logger, choice.Reason);
            return null;
        }

        LlamaSharpLog.CpuVariantChosen(_logger, choice.Chosen.Name, choice.Chosen.Score ?? 0, choice.Reason, level, choice.Directory);
        return choice.Directory;
    }

    /// <summary>The one place that turns Model:Path into a file path: Core's resolver (base directory, then working
    /// directory), which throws <see cref="FileNotFoundException"/> naming every path it tried.</summary>
    private static string ResolveModelPath(string configuredPath) => ModelPathResolver.Resolve(configuredPath);

    private void ValidateOptions()
    {
        static InferenceException Bad(string message) => new(InferenceErrorKind.Internal, message);

        if (_model.ContextSize < 0) throw Bad($"Model:ContextSize must be >= 0 (0 = the model's training context), got {_model.ContextSize}.");
        if (_model.BatchSize <= 0) throw Bad($"Model:BatchSize must be > 0, got {_model.BatchSize}.");
        if (_model.MicroBatchSize <= 0) throw Bad($"Model:MicroBatchSize must be > 0, got {_model.MicroBatchSize}.");
        if (_model.Threads < -1) throw Bad($"Model:Threads must be >= -1, got {_model.Threads}.");
        if (_engine.MaxSequences is < 1 or > 256) throw Bad($"Engine:MaxSequences must be between 1 and 256, got {_engine.MaxSequences}.");
    }

    private ModelParams BuildParameters(string path, int threads) => new(path)
    {
        ContextSize = _model.ContextSize == 0 ? null : (uint)_model.ContextSize,
        BatchSize = (uint)_model.BatchSize,
        UBatchSize = (uint)Math.Min(_model.MicroBatchSize, _model.BatchSize),
        Threads = threads,
        BatchThreads = threads,
        GpuLayerCount = _model.GpuLayers,
        LoadMode = _model.UseMemoryMap ? LLamaLoadMode.MemoryMap : LLamaLoadMode.None,
        SeqMax = (uint)_engine.MaxSequences,
        FlashAttention = _model.FlashAttention,
    };

    private LLamaWeights LoadWeights(ModelParams parameters, string path)
    {
        try
        {
            return LLamaWeights.LoadFromFile(parameters);
        }
        catch (Exception ex) when (ex is RuntimeError or InvalidOperationException)
        {
            throw new InferenceException(InferenceErrorKind.Internal,
                $"Model file '{path}' could not be loaded by llama.cpp: {NativeReason("invalid or unsupported GGUF model")}.", inner: ex);
        }
    }

    private LLamaContext CreateContext(LLamaWeights weights, ModelParams parameters, string path)
    {
        try
        {
            return weights.CreateContext(parameters, _loggerFactory.CreateLogger<LLamaContext>());
        }
        catch (RuntimeError ex)
        {
            throw new InferenceException(InferenceErrorKind.Internal,
                $"Model '{path}' loaded but llama.cpp could not create a context (ContextSize {_model.ContextSize}, BatchSize {_model.BatchSize}, MaxSequences {_engine.MaxSequences}): {NativeReason("out of memory or invalid context parameters")}.", inner: ex);
        }
    }

    private string NativeReason(string fallback)
    {
        var line = _nativeLog.DescribeProblem();
        return string.IsNullOrWhiteSpace(line) ? fallback : line.Replace('\n', ' ').Trim();
    }

    private ModelMetadata BuildMetadata(string path, LLamaWeights weights, SafeLLamaContextHandle context, bool unified)
    {
        var file = new FileInfo(path);
        var architecture = weights.Metadata.TryGetValue("general.architecture", out var arch) && !string.IsNullOrEmpty(arch)
            ? arch
            : "unknown";
        return new ModelMetadata
        {
            Id = string.IsNullOrWhiteSpace(_model.Id) ? Path.GetFileNameWithoutExtension(path) : _model.Id,
            Architecture = architecture,
            ContextSize = checked((int)context.ContextSize),
            // llama.cpp splits a non-unified context evenly: n_ctx_seq = n_ctx / n_seq_max.
            SequenceContextSize = unified ? checked((int)context.ContextSize) : checked((int)(context.ContextSize / Math.Max(1u, context.MaxSeq))),
            TrainingContextLength = weights.ContextSize,
            BatchSize = checked((int)context.BatchSize),
            MaxSequences = checked((int)context.MaxSeq),
            VocabSize = weights.Vocab.Count,
            EmbeddingLength = weights.EmbeddingSize,
            ParameterCount = (long)weights.ParameterCount,
            SizeBytes = file.Length,
            Created = new DateTimeOffset(file.LastWriteTimeUtc).ToUnixTimeSeconds(),
        };
    }
}
