using System.Diagnostics;
using System.Runtime.CompilerServices;
using InferenceServer.Core.Diagnostics;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;
using InferenceServer.Core.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace InferenceServer.Core.Engine;

/// <summary>
/// The scheduler facade: validates and admits requests on the caller's thread (errors are thrown synchronously,
/// before any byte is sent), queues them for the <see cref="EngineLoop"/>, and streams each job's updates back.
/// Attach a backend with <see cref="Attach"/> (the hosted service does this once the model is loaded).
/// </summary>
public sealed class InferenceEngine : IInferenceEngine, IDisposable
{
    private readonly EngineOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly EngineTelemetry _telemetry = new();
    private readonly JobQueue _queue = new();
    private readonly Lock _idleLock = new();
    private readonly List<TaskCompletionSource> _idleWaiters = [];
    private volatile IModelBackend? _backend;
    private volatile EngineLoop? _loop;
    private volatile bool _draining;
    private int _inFlight;
    private int _disposed;

    public InferenceEngine(IOptions<EngineOptions> options, TimeProvider time, ILogger<InferenceEngine>? logger = null)
    {
        _options = options.Value;
        _time = time;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public bool IsReady => _loop is { IsRunning: true } && !_draining;

    public ModelMetadata Model => RequireBackend().Metadata;
    public ITokenizer Tokenizer => RequireBackend().Tokenizer;
    public IChatTemplate ChatTemplate => RequireBackend().ChatTemplate;

    /// <summary>Jobs accepted and not yet finished (queued or running).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Takes ownership of the loop over <paramref name="backend"/> and starts it. Once only.
    /// The backend itself stays owned by the caller (dispose it after <see cref="Shutdown"/>).</summary>
    public void Attach(IModelBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var loop = new EngineLoop(backend, _queue, _options, _time, _logger, _telemetry);
        if (Interlocked.CompareExchange(ref _backend, backend, null) is not null)
        {
            throw new InvalidOperationException("A backend is already attached.");
        }

        _loop = loop;
        loop.Start();
    }

    /// <summary>Stops the loop thread (after its current step) and fails every unfinished job with ShuttingDown.</summary>
    public void Shutdown(TimeSpan timeout)
    {
        EngineLoop? loop = _loop;
        loop?.RequestStop();
        _draining = true;
        if (loop is null)
        {
            foreach (InferenceJob job in _queue.DrainAll())
            {
                job.TryComplete(null, new InferenceException(InferenceErrorKind.ShuttingDown, "The server is shutting down."));
            }

            return;
        }

        loop.Stop(timeout);
    }

    public EngineSnapshot GetSnapshot()
    {
        EngineLoop? loop = _loop;
        if (loop is null)
        {
            return new EngineSnapshot
            {
                Running = 0,
                Waiting = _queue.Count,
                MaxSequences = _options.MaxSequences,
                QueueCapacity = _options.QueueCapacity,
                KvCellsUsed = 0,
                KvCellsTotal = 0,
                Slots = [],
            };
        }

        return loop.Snapshot with { Waiting = _queue.Count };
    }

    public IAsyncEnumerable<GenerationUpdate> Generate(GenerationRequest request, CancellationToken cancellationToken) =>
        GenerateAll([request], cancellationToken)[0];

    /// <summary>
    /// Admits all sequences of one request at once or none: a request for more sequences than the engine can ever hold
    /// (slots + queue) could never be admitted and is refused with 400 naming <c>n</c>; otherwise it takes one
    /// admission place per sequence, reserved in one step, so it is either wholly admitted or wholly refused (429).
    /// The choices of one prompt (<c>n</c>) are bounded by the slots at the HTTP edge.
    /// </summary>
    public IReadOnlyList<IAsyncEnumerable<GenerationUpdate>> GenerateAll(IReadOnlyList<GenerationRequest> requests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        EngineLoop loop = _loop ?? throw NotReady();
        if (_draining)
        {
            throw new InferenceException(InferenceErrorKind.ShuttingDown, "The server is shutting down and accepts no new requests.");
        }

        if (!loop.IsRunning)
        {
            throw new InferenceException(InferenceErrorKind.ShuttingDown, "The engine loop is not running.");
        }

        int capacity = loop.SlotCount + Math.Max(0, _options.QueueCapacity);
        if (requests.Count > capacity)
        {
            throw InferenceException.Invalid(
                $"This request asks for {requests.Count} sequences (n times the number of prompts), but this server admits at most {capacity} at a time (Engine:MaxSequences {loop.SlotCount} + Engine:QueueCapacity {_options.QueueCapacity}).",
                "n");
        }

        foreach (GenerationRequest request in requests)
        {
            ArgumentNullException.ThrowIfNull(request);
            Validate(request, loop.MaxSequenceLength);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.Add(ref _inFlight, requests.Count) > capacity)
        {
            Interlocked.Add(ref _inFlight, -requests.Count);
            throw new InferenceException(InferenceErrorKind.QueueFull,
                $"The server is busy: {_options.QueueCapacity} requests are already waiting. Retry later.", code: "rate_limit_exceeded");
        }

        var streams = new IAsyncEnumerable<GenerationUpdate>[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            try
            {
                streams[i] = Enqueue(loop, requests[i], cancellationToken);
            }
            catch
            {
                // The failed job released its own place; the ones never queued release theirs.
                Release(requests.Count - i - 1);
                throw;
            }
        }

        loop.Wake();
        return streams;
    }

    /// <summary>Queues one job whose admission place is already reserved in <see cref="_inFlight"/>.</summary>
    private IAsyncEnumerable<GenerationUpdate> Enqueue(EngineLoop loop, GenerationRequest request, CancellationToken cancellationToken)
    {
        var job = new InferenceJob(request, _time.GetTimestamp(), _time.GetUtcNow(), Activity.Current?.Context ?? default, _options.OutputBufferUpdates);
        job.Completed = OnJobCompleted;
        _queue.Enqueue(job);
        if (cancellationToken.CanBeCanceled)
        {
            job.CancellationRegistration = cancellationToken.UnsafeRegister(static state =>
            {
                var (engine, cancelled) = ((InferenceEngine, InferenceJob))state!;
                engine.Cancel(cancelled);
            }, (this, job));
        }

        if (!loop.IsRunning && _queue.Remove(job))
        {
            // Raced with shutdown: the loop may already have failed the queue, so answer here.
            var stopping = new InferenceException(InferenceErrorKind.ShuttingDown, "The server is shutting down and accepts no new requests.");
            job.TryComplete(null, stopping);
            throw stopping;
        }

        return ReadUpdates(job, CancellationToken.None);
    }

    public void BeginDrain()
    {
        if (!_draining)
        {
            _draining = true;
            EngineSnapshot snapshot = GetSnapshot();
            _logger.DrainStarted(snapshot.Running, snapshot.Waiting);
        }
    }

    public Task WaitForIdleAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_idleLock)
        {
            if (Volatile.Read(ref _inFlight) == 0)
            {
                return Task.CompletedTask;
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _idleWaiters.Add(waiter);
        }

        return cancellationToken.CanBeCanceled ? waiter.Task.WaitAsync(cancellationToken) : waiter.Task;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Shutdown(TimeSpan.FromSeconds(10));
        _loop?.Dispose();
        _telemetry.Dispose();
    }

    private void Validate(GenerationRequest request, int contextSize)
    {
        int prompt = request.PromptTokens.Count;
        if (prompt == 0)
        {
            throw InferenceException.Invalid("The prompt is empty.", "messages");
        }

        if (request.MaxTokens is { } max && max < 0)
        {
            throw InferenceException.Invalid("max_tokens must not be negative.", "max_tokens");
        }

        if (request.BeamSearch is { } beam)
        {
            int slots = _loop?.SlotCount ?? _options.MaxSequences;
            if (beam.Width < 1 || beam.Width > slots)
            {
                throw InferenceException.Invalid($"beam_width must be between 1 and {slots} (the server's Engine:MaxSequences: every beam takes a sequence slot); got {beam.Width}.", "beam_width");
            }

            if (beam.N < 1 || beam.N > beam.Width)
            {
                throw InferenceException.Invalid($"n must not exceed beam_width ({beam.Width}) for beam search; got {beam.N}.", "n");
            }

            if (!float.IsFinite(beam.LengthPenalty))
            {
                throw InferenceException.Invalid("length_penalty must be a finite number.", "length_penalty");
            }
        }

        if (request.PromptLogprobs is { } promptTop && (promptTop < 0 || promptTop > 20))
        {
            throw InferenceException.Invalid("logprobs must be between 0 and 20.", "logprobs");
        }

        if (request.TopLogprobs is { } top && (top < 0 || top > 20))
        {
            throw InferenceException.Invalid("top_logprobs must be between 0 and 20.", "top_logprobs");
        }

        // A sequence needs a cell for the token it samples, except with max_tokens 0 (prompt only: scoring).
        if (prompt + (request.MaxTokens == 0 ? 0 : 1) > contextSize)
        {
            throw InferenceException.ContextLength(prompt, request.MaxTokens ?? 0, contextSize);
        }

        if (request.MaxTokens is { } requested && prompt + requested > contextSize)
        {
            throw InferenceException.ContextLength(prompt, requested, contextSize);
        }
    }

    private void Cancel(InferenceJob job)
    {
        job.MarkCancelled();
        if (_queue.RemoveIfNeverAdmitted(job))
        {
            _logger.WaitingCancelled(job.RequestId);
            job.TryComplete(new GenerationUpdate
            {
                FinishReason = FinishReason.Cancelled,
                Usage = new Usage(job.Request.PromptTokens.Count, 0),
            });
        }

        _loop?.Wake();
    }

    private void OnJobCompleted(InferenceJob job) => Release(1);

    private void Release(int places)
    {
        if (places == 0 || Interlocked.Add(ref _inFlight, -places) != 0)
        {
            return;
        }

        TaskCompletionSource[] waiters;
        lock (_idleLock)
        {
            if (Volatile.Read(ref _inFlight) != 0)
            {
                return;
            }

            waiters = [.. _idleWaiters];
            _idleWaiters.Clear();
        }

        foreach (TaskCompletionSource waiter in waiters)
        {
            waiter.TrySetResult();
        }
    }

    private async IAsyncEnumerable<GenerationUpdate> ReadUpdates(InferenceJob job,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            while (await job.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (job.Reader.TryRead(out GenerationUpdate? update))
                {
                    yield return update;
                }
            }
        }
        finally
        {
            // A consumer that stops reading early (or whose enumeration token fired) is gone: free the slot.
            if (!job.IsCompleted)
            {
                Cancel(job);
            }
        }

        if (job.Failure is { } failure)
        {
            throw failure;
        }
    }

    private IModelBackend RequireBackend() => _backend is { } backend && _loop is not null ? backend : throw NotReady();

    private static InferenceException NotReady() =>
        new(InferenceErrorKind.ModelNotReady, "The model is still loading. Retry shortly.", code: "model_not_ready");
}
