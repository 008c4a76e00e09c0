using InferenceServer.Core.Generation;

namespace InferenceServer.Core.Engine;

/// <summary>
/// What the HTTP layer talks to. Implemented by the scheduler in Core over an <see cref="IModelBackend"/>.
/// </summary>
public interface IInferenceEngine
{
    /// <summary>True once the model is loaded and the engine loop runs; false again while draining.</summary>
    bool IsReady { get; }

    /// <summary>Throws <see cref="Errors.InferenceException"/> (ModelNotReady) before the model is loaded.</summary>
    ModelMetadata Model { get; }
    ITokenizer Tokenizer { get; }
    IChatTemplate ChatTemplate { get; }

    EngineSnapshot GetSnapshot();

    /// <summary>
    /// Validates and enqueues one sequence, then streams its output. Validation and admission happen eagerly, in
    /// this call, so the caller can answer with a plain HTTP error before any byte is sent:
    /// ContextLengthExceeded, QueueFull, ModelNotReady, ShuttingDown are thrown synchronously as
    /// <see cref="Errors.InferenceException"/>. Cancelling <paramref name="cancellationToken"/> (client gone) drops
    /// the sequence at the next engine step and frees its KV cells; the stream then ends.
    /// </summary>
    IAsyncEnumerable<GenerationUpdate> Generate(GenerationRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Starts all choices of one request (n, or n per prompt). Each sequence takes one admission place; the engine
    /// admits them all or none, and refuses (400, param <c>n</c>) more sequences than it can ever run at once. The
    /// default submits them one by one and cancels those already started if one is refused.
    /// </summary>
    IReadOnlyList<IAsyncEnumerable<GenerationUpdate>> GenerateAll(IReadOnlyList<GenerationRequest> requests, CancellationToken cancellationToken)
    {
        var streams = new List<IAsyncEnumerable<GenerationUpdate>>(requests.Count);
        foreach (var request in requests)
        {
            streams.Add(Generate(request, cancellationToken));
        }

        return streams;
    }

    /// <summary>Graceful shutdown, step 1: stop admitting (new Generate calls throw ShuttingDown, IsReady turns
    /// false); sequences already queued or running go on.</summary>
    void BeginDrain();

    /// <summary>Graceful shutdown, step 2: completes when no sequence is queued or running (or when cancelled).</summary>
    Task WaitForIdleAsync(CancellationToken cancellationToken);
}

/// <summary>A point-in-time view of the scheduler, for health, metrics and tests.</summary>
public sealed record EngineSnapshot
{
    public required int Running { get; init; }
    public required int Waiting { get; init; }
    public required int MaxSequences { get; init; }
    public required int QueueCapacity { get; init; }
    /// <summary>KV cells in use by all sequences.</summary>
    public required int KvCellsUsed { get; init; }
    public required int KvCellsTotal { get; init; }
    public double KvCacheUsage => KvCellsTotal == 0 ? 0 : (double)KvCellsUsed / KvCellsTotal;
    public required IReadOnlyList<SlotSnapshot> Slots { get; init; }
    public long DecodeSteps { get; init; }
    public long PromptTokensProcessed { get; init; }
    public long TokensGenerated { get; init; }
    public long Preemptions { get; init; }
    /// <summary>Bytes of KV state the prefix cache's host-memory tier holds, and how many prefixes.</summary>
    public long HostPrefixBytes { get; init; }
    public int HostPrefixEntries { get; init; }
    /// <summary>Cumulative engine-loop time per step phase (empty before the loop starts).</summary>
    public IReadOnlyDictionary<StepPhase, double> StepSeconds { get; init; } = new Dictionary<StepPhase, double>();
}

public enum SlotState
{
    Idle,
    Prefilling,
    Generating,
}

public sealed record SlotSnapshot(int SequenceId, SlotState State, string? RequestId, int PromptTokens, int GeneratedTokens);
