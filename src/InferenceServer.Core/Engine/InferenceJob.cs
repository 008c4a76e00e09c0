using System.Diagnostics;
using System.Threading.Channels;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;

namespace InferenceServer.Core.Engine;

/// <summary>
/// One accepted request as the scheduler tracks it (job bookkeeping, separate from slot bookkeeping): its request,
/// its own unbounded channel of updates to the HTTP side, cancellation and submission time. Its
/// <see cref="Sequence"/> is created at first admission and survives preemption.
/// </summary>
internal sealed class InferenceJob
{
    private readonly Channel<GenerationUpdate> _updates =
        Channel.CreateUnbounded<GenerationUpdate>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
    private int _completed;
    private volatile bool _cancelled;

    public InferenceJob(GenerationRequest request, long submittedTimestamp, DateTimeOffset submittedAt, ActivityContext parentContext)
    {
        Request = request;
        SubmittedTimestamp = submittedTimestamp;
        SubmittedAt = submittedAt;
        ParentContext = parentContext;
    }

    public GenerationRequest Request { get; }
    public string RequestId => Request.RequestId;
    public long SubmittedTimestamp { get; }
    public DateTimeOffset SubmittedAt { get; }
    public ActivityContext ParentContext { get; }

    /// <summary>Generation state; null until first admitted. Owned by the loop thread.</summary>
    public SequenceState? Sequence { get; set; }

    /// <summary>Prompt logprobs being collected (requests with PromptLogprobs; loop thread only). Survives
    /// preemption: positions are filled again when the prompt is recomputed.</summary>
    public PromptLogprobCollector? PromptScores { get; set; }

    /// <summary>Times this job lost its slot to free KV cells (loop thread only).</summary>
    public int Preemptions { get; set; }

    public bool IsCancelled => _cancelled;
    public bool IsCompleted => Volatile.Read(ref _completed) != 0;
    public InferenceException? Failure { get; private set; }
    public CancellationTokenRegistration CancellationRegistration { get; set; }

    /// <summary>Runs once when the job completes (the engine's in-flight accounting).</summary>
    public Action<InferenceJob>? Completed { get; set; }

    public ChannelReader<GenerationUpdate> Reader => _updates.Reader;

    public void MarkCancelled() => _cancelled = true;

    /// <summary>Streams a non-final update (loop thread only).</summary>
    public void Post(GenerationUpdate update)
    {
        if (!IsCompleted)
        {
            _updates.Writer.TryWrite(update);
        }
    }

    /// <summary>Ends the stream once: with a final update, or with a failure the enumerator rethrows.</summary>
    public bool TryComplete(GenerationUpdate? final, InferenceException? failure = null)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }

        Failure = failure;
        if (final is not null)
        {
            _updates.Writer.TryWrite(final);
        }

        _updates.Writer.TryComplete();
        CancellationRegistration.Unregister();
        Completed?.Invoke(this);
        return true;
    }
}
