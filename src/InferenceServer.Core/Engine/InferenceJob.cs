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
    private readonly Channel<GenerationUpdate> _updates;
    private readonly int _outputBuffer;
    private int _completed;
    private volatile bool _cancelled;

    /// <param name="outputBuffer">Updates that may wait for the reader; one more cancels the job (the reader,
    /// a client that stopped reading, is too far behind), so a stalled client never makes the server buffer its
    /// whole output.</param>
    public InferenceJob(GenerationRequest request, long submittedTimestamp, DateTimeOffset submittedAt, ActivityContext parentContext, int outputBuffer = 4096)
    {
        _outputBuffer = Math.Max(1, outputBuffer);
        // One place more than the buffer, kept for the final update.
        _updates = Channel.CreateBounded<GenerationUpdate>(new BoundedChannelOptions(_outputBuffer + 1)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full; nothing is dropped silently
        });
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
        if (!IsCompleted && (_updates.Reader.Count >= _outputBuffer || !_updates.Writer.TryWrite(update)) && !_cancelled)
        {
            // The buffer is full: the reader stopped. Cancel (the loop frees the slot at its next step) and end the
            // stream with an error rather than with a final update that would claim a complete output.
            _cancelled = true;
            Overflowed = true;
        }
    }

    /// <summary>True when the reader fell a whole output buffer behind and the job was cancelled for it.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>Ends the stream once: with a final update, or with a failure the enumerator rethrows.</summary>
    public bool TryComplete(GenerationUpdate? final, InferenceException? failure = null)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }

        Failure = failure ?? (Overflowed
            ? new InferenceException(InferenceErrorKind.Internal, "The client stopped reading: the output buffer of this request filled up, so it was cancelled.", code: "output_buffer_full")
            : null);
        if (final is not null && !Overflowed)
        {
            _updates.Writer.TryWrite(final);
        }

        _updates.Writer.TryComplete();
        CancellationRegistration.Unregister();
        Completed?.Invoke(this);
        return true;
    }
}
