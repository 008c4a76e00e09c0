using System.Diagnostics;
using InferenceServer.Core.Diagnostics;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;
using InferenceServer.Core.Options;
using Microsoft.Extensions.Logging;

namespace InferenceServer.Core.Engine;

/// <summary>
/// The one thread that owns the backend: only it decodes, reads logits, samples and edits the KV cache. Each step
/// drops cancelled sequences, admits waiting jobs FIFO into free slots while KV cells allow, plans one batch
/// (<see cref="BatchPlanner"/>), decodes it and turns sampled tokens into updates. Sleeps on an event when idle.
/// </summary>
internal sealed partial class EngineLoop : IDisposable
{
    private const int MaxPreemptionsPerJob = 16;

    private readonly IModelBackend _backend;
    private readonly ITokenizer _tokenizer;
    private readonly JobQueue _queue;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly EngineTelemetry _telemetry;
    private readonly AutoResetEvent _wake = new(false);
    private readonly TimeSpan _arrivalGather;
    private readonly SequenceState?[] _slots;
    private readonly KvCellLedger _ledger;
    private readonly bool _prefixCache;
    private readonly bool _shedIdlePrefixes;
    private readonly bool _separateKvStreams;
    private readonly List<SequenceState> _active = [];
    private readonly List<PlannerSequence> _plannerInput = [];
    private readonly BatchToken[] _batch;
    private readonly int _contextSize;
    private readonly int _maxSequenceLength;
    private readonly int _batchSize;
    private readonly int _maxPrefillChunk;
    private readonly PrefillPacer _pacer;
    private readonly int _queueCapacity;
    private readonly Thread _thread;
    private readonly StepProfile _profile = new();
    private int _generating;
    private int _prefilling;
    private volatile bool _stopping;
    private volatile bool _disposed;
    private volatile bool _crashed;
    private volatile EngineSnapshot _snapshot;
    private long _admissions;
    private long _decodeSteps;

    /// <summary>Sequences that ended with a result (not cancelled or failed), and how many did in the last decode step.</summary>
    private long _finished;
    private int _finishedInLastDecode;
    private long _promptTokensProcessed;
    private long _tokensGenerated;
    private long _preemptions;

    public EngineLoop(IModelBackend backend, JobQueue queue, EngineOptions options, TimeProvider time, ILogger logger,
        EngineTelemetry telemetry)
    {
        _backend = backend;
        _tokenizer = backend.Tokenizer;
        _queue = queue;
        _time = time;
        _logger = logger;
        _telemetry = telemetry;
        ModelMetadata metadata = backend.Metadata;
        _contextSize = metadata.ContextSize;
        _maxSequenceLength = metadata.MaxSequenceLength;
        _batchSize = Math.Max(1, metadata.BatchSize);
        _slots = new SequenceState?[Math.Clamp(Math.Min(options.MaxSequences, metadata.MaxSequences), 1, 256)];
        _ledger = new KvCellLedger(_slots.Length);
        _cache = new CachedPrefix?[_slots.Length];
        _prefixCache = options.PrefixCache;
        _shedIdlePrefixes = options.ShedIdlePrefixes;
        _hostStore = options.PrefixCache && options.PrefixCacheHostMiB > 0 ? new HostPrefixStore(options.PrefixCacheHostMiB * (1L << 20)) : null;
        _separateKvStreams = metadata.SeparateKvStreams;
        _maxPrefillChunk = Math.Max(1, options.MaxPrefillChunk);
        _arrivalGather = TimeSpan.FromMilliseconds(options.ArrivalGatherMilliseconds);
        _pacer = new PrefillPacer(options.PrefillStallFactor, options.PrefillWhileDecoding, _batchSize, _slots.Length);
        _queueCapacity = options.QueueCapacity;
        _batch = new BatchToken[_batchSize];
        _snapshot = BuildSnapshot();
        _thread = new Thread(Run) { IsBackground = true, Name = "InferenceServer engine loop" };
    }

    public int SlotCount => _slots.Length;
    public int ContextSize => _contextSize;

    /// <summary>Prompt + completion limit of one sequence (<see cref="ModelMetadata.MaxSequenceLength"/>).</summary>
    public int MaxSequenceLength => _maxSequenceLength;
    public EngineSnapshot Snapshot => _snapshot;

    /// <summary>False once stopped or crashed.</summary>
    public bool IsRunning => !_stopping && !_crashed;

    public void Start()
    {
        _logger.LoopStarted(_slots.Length, _contextSize, _batchSize, _maxPrefillChunk);
        _thread.UnsafeStart(); // no ExecutionContext (and no Activity.Current) flows into the loop thread
    }

    public void Wake()
    {
        if (!_disposed)
        {
            _wake.Set();
        }
    }

    /// <summary>Asks the loop to stop after its current step (non-blocking).</summary>
    public void RequestStop()
    {
        _stopping = true;
        if (!_disposed)
        {
            _wake.Set();
        }
    }

    public void Stop(TimeSpan timeout)
    {
        RequestStop();
        if (_thread.IsAlive && Thread.CurrentThread != _thread)
        {
            _thread.Join(timeout);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        Stop(TimeSpan.FromSeconds(10));
        if (!_thread.IsAlive)
        {
            _disposed = true;
            _wake.Dispose();
        }
    }

    private void Run()
    {
        try
        {
            while (!_stopping)
            {
                if (!Step())
                {
                    WaitForArrivals();
                }
            }
        }
        catch (Exception ex)
        {
            _crashed = true;
            _logger.LoopCrashed(ex);
        }
        finally
        {
            int failed = FailEverything(new InferenceException(InferenceErrorKind.ShuttingDown, "The server is shutting down."));
            _hostStore?.Dispose();
            _snapshot = BuildSnapshot();
            _logger.LoopStopped(failed);
        }
    }

    /// <summary>One scheduling step; false when there is nothing to do (the loop then sleeps).</summary>
    internal bool Step()
    {
        long mark = Stopwatch.GetTimestamp();
        long stepStart = mark;
        DropCancelled();
        ReleaseFinishedBeamGroups();
        GatherFollowUps();
        Admit();
        if (_active.Count == 0)
        {
            _snapshot = BuildSnapshot();
            return false;
        }

        EnsureRoomForDecode();
        ShedIdlePrefix();
        CompactRunningSlots();
        IReadOnlyList<PlannedChunk> plan = PlanBatch();
        if (plan.Count == 0)
        {
            // KV cells exhausted by prompts alone: make room by evicting a cached prefix, else by preempting the
            // newest sequence.
            if (!EvictCachedPrefix())
            {
                if (_active.Count > 1)
                {
                    Preempt(Newest(), "kv cache full");
                }
                else
                {
                    Fail(_active[0], new InferenceException(InferenceErrorKind.Internal, "The KV cache has no room for this sequence."));
                }
            }

            _snapshot = BuildSnapshot();
            return true;
        }

        mark = _profile.Add(StepPhase.Schedule, mark);
        int tokens = FillBatch(plan);
        mark = _profile.Add(StepPhase.Fill, mark);
        DecodeStatus status;
        try
        {
            status = _backend.Decode(_batch.AsSpan(0, tokens));
        }
        catch (Exception ex)
        {
            _logger.SequenceFailed("(batch)", ex);
            status = DecodeStatus.Failed;
        }

        long decodeStart = mark;
        mark = _profile.Add(StepPhase.Decode, mark);
        _decodeSteps++;
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            LogStep(plan, tokens, stepStart, decodeStart, mark);
        }

        if (status == DecodeStatus.Ok)
        {
            ObservePacing(plan, tokens, Stopwatch.GetElapsedTime(decodeStart, mark).TotalSeconds);
        }

        long finishedBefore = _finished;
        switch (status)
        {
            case DecodeStatus.Ok:
                mark = ProcessDecoded(plan, mark);
                break;
            case DecodeStatus.NoKvSlot:
                OnNoKvSlot(plan);
                break;
            default:
                OnDecodeFailed(plan, tokens, status);
                break;
        }

        _finishedInLastDecode = (int)(_finished - finishedBefore);
        _queuedAtLastDecode = _queue.Count;
        _lastDecodeEnd = Stopwatch.GetTimestamp();
        _snapshot = BuildSnapshot();
        _profile.Add(StepPhase.Bookkeeping, mark);
        return true;
    }

    private void DropCancelled()
    {
        if (_queue.RemoveCancelled() is { } cancelledWhileWaiting)
        {
            foreach (InferenceJob job in cancelledWhileWaiting)
            {
                CompleteUnadmitted(job);
            }
        }

        for (int i = _active.Count - 1; i >= 0; i--)
        {
            SequenceState sequence = _active[i];
            if (sequence.Job.IsCancelled)
            {
                Finish(sequence, FinishReason.Cancelled);
            }
        }
    }

    /// <summary>Distinct KV cells held, by running sequences and by cached prefixes of idle slots.</summary>
    private int KvCellsUsed() => _ledger.Used;

    /// <summary>Cells held plus every running sequence's tokens still to be decoded.</summary>
    private int KvCellsCommitted()
    {
        int committed = _ledger.Used;
        foreach (SequenceState sequence in _active)
        {
            committed += sequence.Pending;
        }

        return committed;
    }

    private SequenceState Newest()
    {
        SequenceState newest = _active[0];
        foreach (SequenceState sequence in _active)
        {
            if (sequence.AdmissionOrder > newest.AdmissionOrder)
            {
                newest = sequence;
            }
        }

        return newest;
    }

    /// <summary>Every generating sequence needs one KV cell this step: evict cached prefixes, then preempt the
    /// newest sequence, until they fit.</summary>
    private void EnsureRoomForDecode()
    {
        while (true)
        {
            int generating = _active.Count(s => s.IsGenerating);
            if (generating <= _contextSize - KvCellsUsed())
            {
                return;
            }

            if (EvictCachedPrefix())
            {
                continue;
            }

            if (_active.Count <= 1)
            {
                return;
            }

            Preempt(Newest(), "kv cache full");
        }
    }

    private IReadOnlyList<PlannedChunk> PlanBatch()
    {
        _plannerInput.Clear();
        (_generating, _prefilling) = (0, 0);
        foreach (SequenceState sequence in _active)
        {
            _plannerInput.Add(new PlannerSequence(sequence.SlotId, sequence.Pending, sequence.IsGenerating));
            if (sequence.Pending > 0 && sequence.IsGenerating)
            {
                _generating++;
            }
            else if (sequence.Pending > 0)
            {
                _prefilling++;
            }
        }

        IReadOnlyList<PlannedChunk> plan = BatchPlanner.Plan(
            _plannerInput, _batchSize, _contextSize - KvCellsUsed(), _maxPrefillChunk, _pacer.Budget(_generating));
        return _separateKvStreams ? BatchPlanner.InKeyOrder(plan) : plan;
    }

    /// <summary>Tells the pacer how long a step took for its decode and prompt tokens (planned from states before it).</summary>
    private void ObservePacing(IReadOnlyList<PlannedChunk> plan, int tokens, double seconds)
    {
        int decodeTokens = GeneratingIn(plan);

        // A burst (prompts outnumbering the streams) is not paced, and its bulk prompt tokens cost less each.
        if (_prefilling <= _generating)
        {
            _pacer.Observe(decodeTokens, tokens - decodeTokens, seconds);
        }
    }

    /// <summary>Chunks of the plan that decode a generating sequence's last sampled token (one token each).</summary>
    private int GeneratingIn(IReadOnlyList<PlannedChunk> plan)
    {
        int generating = 0;
        foreach (PlannedChunk chunk in plan)
        {
            if (_slots[chunk.Key] is { IsGenerating: true })
            {
                generating++;
            }
        }

        return generating;
    }

    private int FillBatch(IReadOnlyList<PlannedChunk> plan)
    {
        int n = 0;
        foreach (PlannedChunk chunk in plan)
        {
            SequenceState sequence = _slots[chunk.Key]!;
            for (int i = 0; i < chunk.Count; i++)
            {
                int position = sequence.DecodedCount + i;
                bool logits = (chunk.WantLogits && i == chunk.Count - 1) || WantsPromptLogits(sequence, position);
                _batch[n++] = new BatchToken(sequence.Tokens[position], position, sequence.SlotId, logits);
            }
        }

        return n;
    }
}
