using InferenceServer.Core.Embeddings;
using InferenceServer.Core.Engine;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Options;
using LLama;
using LLama.Common;
using LLama.Exceptions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InferenceServer.LlamaSharp;

/// <summary>
/// Builds the embedding context on the generation backend's own weights (no second load): n_ctx = n_batch = n_ubatch
/// = <see cref="EmbeddingOptions.ContextSize"/> (a pooled sequence must sit in one micro-batch), one sequence per
/// input up to <see cref="EmbeddingOptions.MaxInputsPerDecode"/>, same threads, GPU layers and attention kernel as the
/// generation context.
/// </summary>
public sealed class LlamaSharpEmbedderFactory(
    IOptions<ModelOptions> model, IOptions<EmbeddingOptions> embeddings, ILoggerFactory loggerFactory) : IEmbeddingBackendFactory
{
    public IEmbeddingBackend Create(IModelBackend generationBackend, CancellationToken cancellationToken)
    {
        if (generationBackend is not LlamaSharpBackend llama)
        {
            throw new InvalidOperationException("The LLamaSharp embedding context needs the LLamaSharp generation backend.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var options = embeddings.Value;
        var weights = llama.Weights;
        var pooling = EmbeddingPooling.Choose(weights.Metadata, llama.Metadata.Architecture);
        var size = options.ContextSize;
        var parameters = new ModelParams(model.Value.Path)
        {
            ContextSize = (uint)size,
            BatchSize = (uint)size,
            UBatchSize = (uint)size,
            SeqMax = (uint)options.MaxInputsPerDecode,
            Threads = model.Value.Threads,
            BatchThreads = model.Value.Threads,
            GpuLayerCount = model.Value.GpuLayers,
            FlashAttention = model.Value.FlashAttention,
            Embeddings = true,
            PoolingType = LLama.Native.LLamaPoolingType.None,
        };

        LLamaContext context;
        try
        {
            lock (NativeLibraryGate.Sync)
            {
                context = weights.CreateContext(parameters, loggerFactory.CreateLogger<LLamaContext>());
            }
        }
        catch (RuntimeError ex)
        {
            throw new InferenceException(InferenceErrorKind.Internal,
                $"llama.cpp could not create the embedding context (Embeddings:ContextSize {size}, Embeddings:MaxInputsPerDecode {options.MaxInputsPerDecode}).", inner: ex);
        }

        var training = llama.Metadata.TrainingContextLength;
        var cells = checked((int)context.NativeHandle.ContextSize);
        var info = new EmbeddingModelInfo(
            Dimensions: weights.EmbeddingSize,
            MaxInputTokens: training > 0 ? Math.Min(cells, training) : cells,
            MaxBatchTokens: Math.Min(cells, checked((int)context.NativeHandle.BatchSize)),
            MaxInputsPerDecode: checked((int)context.NativeHandle.MaxSeq),
            Pooling: EmbeddingPooling.Name(pooling));
        return new LlamaSharpEmbedder(context, pooling, info);
    }
}
