namespace InferenceServer.Core.Embeddings;

/// <summary>
/// A context that turns token sequences into pooled, L2-normalized vectors. Separate from the generation context
/// (its own KV cells and batch), so embedding requests never take a generation slot. Not thread-safe: only the
/// <see cref="EmbeddingService"/> worker calls <see cref="Embed"/>.
/// </summary>
public interface IEmbeddingBackend : IDisposable
{
    EmbeddingModelInfo Info { get; }

    /// <summary>One unit-length vector per input, in input order. Inputs are packed into as few decodes as
    /// <see cref="EmbeddingModelInfo.MaxBatchTokens"/> and <see cref="EmbeddingModelInfo.MaxInputsPerDecode"/>
    /// allow (one sequence per input); every input is at most <see cref="EmbeddingModelInfo.MaxInputTokens"/> long.</summary>
    float[][] Embed(IReadOnlyList<IReadOnlyList<int>> inputs);
}

/// <summary>Static facts about an embedding context.</summary>
/// <param name="Dimensions">Length of every vector (the model's embedding length).</param>
/// <param name="MaxInputTokens">Longest single input (the context, capped at the model's training context).</param>
/// <param name="MaxBatchTokens">Most tokens one decode takes (all inputs of that decode together).</param>
/// <param name="MaxInputsPerDecode">Most sequences (inputs) one decode takes.</param>
/// <param name="Pooling">How token states become one vector: "mean", "cls", "last" (llama.cpp pooling type).</param>
public sealed record EmbeddingModelInfo(int Dimensions, int MaxInputTokens, int MaxBatchTokens, int MaxInputsPerDecode, string Pooling);

/// <summary>Builds the embedding context for a loaded model (sharing its weights where the runtime allows).</summary>
public interface IEmbeddingBackendFactory
{
    IEmbeddingBackend Create(Engine.IModelBackend generationBackend, CancellationToken cancellationToken);
}
