using System.Runtime.CompilerServices;
using InferenceServer.Core.Engine;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;

namespace InferenceServer.Api.Tests.Observability;

/// <summary>An engine double for the observability layer: settable readiness and snapshot, a controllable drain.</summary>
internal sealed class FakeInferenceEngine : IInferenceEngine
{
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _ready;

    public EngineSnapshot Snapshot { get; set; } = Empty();

    public string ModelId { get; set; } = "tiny";

    public bool IsReady => _ready && !DrainBegun;

    public bool DrainBegun { get; private set; }

    public TaskCompletionSource DrainWaitStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ModelMetadata Model => _ready
        ? new ModelMetadata
        {
            Id = ModelId,
            Architecture = "llama",
            ContextSize = 256,
            TrainingContextLength = 256,
            BatchSize = 64,
            MaxSequences = 4,
            VocabSize = 300,
        }
        : throw new InferenceException(InferenceErrorKind.ModelNotReady, "Loading model");

    public ITokenizer Tokenizer => throw new NotSupportedException();

    public IChatTemplate ChatTemplate => throw new NotSupportedException();

    public void SetReady(bool ready) => _ready = ready;

    /// <summary>Lets a pending <see cref="WaitForIdleAsync"/> complete.</summary>
    public void BecomeIdle() => _idle.TrySetResult();

    public EngineSnapshot GetSnapshot() => Snapshot;

    public async IAsyncEnumerable<GenerationUpdate> Generate(
        GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        yield break;
    }

    public void BeginDrain() => DrainBegun = true;

    public async Task WaitForIdleAsync(CancellationToken cancellationToken)
    {
        DrainWaitStarted.TrySetResult();
        await _idle.Task.WaitAsync(cancellationToken);
    }

    public static EngineSnapshot Empty(int running = 0, int waiting = 0, int kvUsed = 0, int kvTotal = 256) => new()
    {
        Running = running,
        Waiting = waiting,
        MaxSequences = 4,
        QueueCapacity = 16,
        KvCellsUsed = kvUsed,
        KvCellsTotal = kvTotal,
        Slots = [],
    };
}
