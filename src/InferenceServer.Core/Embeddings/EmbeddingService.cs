using System.Threading.Channels;
using InferenceServer.Core.Errors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace InferenceServer.Core.Embeddings;

/// <summary>
/// The embedding side of the server: its own bounded queue and one worker thread over an
/// <see cref="IEmbeddingBackend"/>, so embedding requests never wait for a generation slot. Each request's inputs go
/// to the backend together (one decode when they fit). Validation (empty or over-long inputs, queue full, not ready)
/// is thrown synchronously from <see cref="EmbedAsync"/>, before the caller writes any byte.
/// LLamaSharp serializes every decode in the process, so an embedding decode still waits for a running generation
/// decode (one step, milliseconds), never for a whole generation.
/// </summary>
public sealed class EmbeddingService : IDisposable
{
    private readonly EmbeddingOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<EmbeddingJob> _jobs;
    private volatile IEmbeddingBackend? _backend;
    private Thread? _worker;
    private int _waiting;
    private volatile bool _stopped;

    public EmbeddingService(IOptions<EmbeddingOptions> options, ILogger<EmbeddingService>? logger = null)
    {
        _options = options.Value;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _jobs = Channel.CreateUnbounded<EmbeddingJob>(new UnboundedChannelOptions { SingleReader = true });
    }

    public bool IsEnabled => _options.Enabled;
    public bool IsReady => _backend is not null && !_stopped;
    public bool AllowShortenedDimensions => _options.AllowShortenedDimensions;

    /// <summary>Requests queued for the worker (not counting the one it is embedding).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Facts about the embedding context; throws (503 / 400) when it is not there.</summary>
    public EmbeddingModelInfo Info => RequireBackend().Info;

    /// <summary>Takes the backend (owned by the caller) and starts the worker. Once only.</summary>
    public void Attach(IEmbeddingBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        if (Interlocked.CompareExchange(ref _backend, backend, null) is not null)
        {
            throw new InvalidOperationException("An embedding backend is already attached.");
        }

        _worker = new Thread(Run) { IsBackground = true, Name = "InferenceServer embedding worker" };
        _worker.UnsafeStart();
        EmbeddingLog.Started(_logger, backend.Info.Dimensions, backend.Info.Pooling, backend.Info.MaxBatchTokens, backend.Info.MaxInputsPerDecode);
    }

    /// <summary>Validates and queues one request's inputs; the task completes with one unit vector per input.</summary>
    public Task<float[][]> EmbedAsync(IReadOnlyList<IReadOnlyList<int>> inputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        EmbeddingModelInfo info = Info;
        foreach (IReadOnlyList<int> input in inputs)
        {
            if (input.Count == 0)
            {
                throw InferenceException.Invalid("Invalid 'input': an input is empty (no tokens).", "input");
            }

            if (input.Count > info.MaxInputTokens)
            {
                throw new InferenceException(InferenceErrorKind.ContextLengthExceeded,
                    $"This model's maximum context length is {info.MaxInputTokens} tokens, however you requested {input.Count} tokens ({input.Count} in your prompt; 0 for the completion). Please reduce your prompt; or completion length.",
                    "input", "context_length_exceeded");
            }
        }

        if (Interlocked.Increment(ref _waiting) > _options.QueueCapacity + 1)
        {
            Interlocked.Decrement(ref _waiting);
            throw new InferenceException(InferenceErrorKind.QueueFull,
                $"The server is busy: {_options.QueueCapacity} embedding requests are already waiting. Retry later.", code: "rate_limit_exceeded");
        }

        var job = new EmbeddingJob(inputs, cancellationToken);
        if (_stopped || !_jobs.Writer.TryWrite(job))
        {
            Interlocked.Decrement(ref _waiting);
            throw new InferenceException(InferenceErrorKind.ShuttingDown, "The server is shutting down and accepts no new requests.");
        }

        return job.Result.Task;
    }

    /// <summary>Stops the worker after its current request; queued requests fail with ShuttingDown.</summary>
    public void Shutdown(TimeSpan timeout)
    {
        _stopped = true;
        _jobs.Writer.TryComplete();
        if (_worker is { IsAlive: true } worker && Thread.CurrentThread != worker)
        {
            worker.Join(timeout);
        }
    }

    public void Dispose() => Shutdown(TimeSpan.FromSeconds(10));

    private void Run()
    {
        ChannelReader<EmbeddingJob> reader = _jobs.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out EmbeddingJob? job))
            {
                Interlocked.Decrement(ref _waiting);
                Process(job);
            }
        }
    }

    private void Process(EmbeddingJob job)
    {
        if (_stopped)
        {
            job.Result.TrySetException(new InferenceException(InferenceErrorKind.ShuttingDown, "The server is shutting down."));
            return;
        }

        if (job.Cancellation.IsCancellationRequested)
        {
            job.Result.TrySetCanceled(job.Cancellation);
            return;
        }

        try
        {
            job.Result.TrySetResult(_backend!.Embed(job.Inputs));
        }
        catch (Exception ex)
        {
            EmbeddingLog.Failed(_logger, job.Inputs.Count, ex);
            job.Result.TrySetException(ex as InferenceException
                ?? new InferenceException(InferenceErrorKind.Internal, "Computing the embeddings failed.", inner: ex));
        }
    }

    private IEmbeddingBackend RequireBackend()
    {
        if (!_options.Enabled)
        {
            throw InferenceException.Invalid("Embeddings are disabled on this server (Embeddings:Enabled is false).", "model", "unsupported_parameter");
        }

        if (_stopped)
        {
            throw new InferenceException(InferenceErrorKind.ShuttingDown, "The server is shutting down and accepts no new requests.");
        }

        return _backend ?? throw new InferenceException(InferenceErrorKind.ModelNotReady, "The model is still loading. Retry shortly.", code: "model_not_ready");
    }

    private sealed class EmbeddingJob(IReadOnlyList<IReadOnlyList<int>> inputs, CancellationToken cancellation)
    {
        public IReadOnlyList<IReadOnlyList<int>> Inputs { get; } = inputs;
        public CancellationToken Cancellation { get; } = cancellation;
        public TaskCompletionSource<float[][]> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
