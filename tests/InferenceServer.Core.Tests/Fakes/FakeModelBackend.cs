using InferenceServer.Core.Engine;
using InferenceServer.Core.Generation;

namespace InferenceServer.Core.Tests.Fakes;

/// <summary>
/// Deterministic backend: the "logits" of a batch entry are one-hot (10 vs 0) at NextToken(token, position), so a
/// sequence's output depends only on its own tokens, never on batching. Tracks KV cells like the unified llama.cpp
/// cache (a cell is shared by every sequence that copied it, and freed when none holds it) and insists on
/// contiguous positions; returns NoKvSlot when the cache would overflow or when injected; hooks let tests block
/// the loop thread inside a decode.
/// </summary>
public sealed class FakeModelBackend : IModelBackend
{
    private readonly Lock _lock = new();
    /// <summary>The unified KV cache as llama.cpp keeps it: each cell has a position and the set of sequences holding it.</summary>
    private readonly List<(int Position, HashSet<int> Owners)> _cells = [];
    private readonly List<BatchToken[]> _batches = [];
    private readonly Dictionary<int, float[]> _logits = [];
    private int _liveSamplers;

    /// <param name="separateStreams">Describe llama.cpp's non-unified cache (each of the maxSequences sequences has its
    /// own stream of contextSize / maxSequences cells): the engine then chooses slots and orders batches for it. The
    /// fake's own cell accounting stays unified.</param>
    public FakeModelBackend(int contextSize = 256, int batchSize = 64, int maxSequences = 8, int? trainingContext = null,
        bool separateStreams = false)
    {
        Metadata = new ModelMetadata
        {
            SequenceContextSize = separateStreams ? contextSize / maxSequences : contextSize,
            Id = "fake",
            Architecture = "fake",
            ContextSize = contextSize,
            TrainingContextLength = trainingContext ?? contextSize,
            BatchSize = batchSize,
            MaxSequences = maxSequences,
            VocabSize = 64,
        };
    }

    public ModelMetadata Metadata { get; }
    public ITokenizer Tokenizer { get; } = new FakeTokenizer();
    public IChatTemplate ChatTemplate { get; } = new FakeChatTemplate();

    /// <summary>next token = f(last token, its position). Default cycles through letters.</summary>
    public Func<int, int, int> NextToken { get; set; } = (last, position) => ((last * 7) + (position * 3)) % 26 + 1;

    /// <summary>Runs on the loop thread at the start of every decode (decode index, batch); may block.</summary>
    public Action<int, BatchToken[]>? OnDecode { get; set; }

    /// <summary>When set, every sampler throws it (a grammar dead end, say).</summary>
    public Exception? SampleFailure { get; set; }

    public int InjectNoKvSlot;
    public int InjectFailed;
    public int DecodeDelayMs { get; set; }
    public bool Disposed { get; private set; }
    public int LiveSamplers => Volatile.Read(ref _liveSamplers);
    public int SamplersCreated;

    public int DecodeCount
    {
        get { lock (_lock) { return _batches.Count; } }
    }

    public List<BatchToken[]> Batches
    {
        get { lock (_lock) { return _batches.ToList(); } }
    }

    public int CellsOf(int sequenceId)
    {
        lock (_lock)
        {
            return _cells.Count(c => c.Owners.Contains(sequenceId));
        }
    }

    public int TotalCells
    {
        get { lock (_lock) { return _cells.Count; } }
    }

    public DecodeStatus Decode(ReadOnlySpan<BatchToken> batch)
    {
        BatchToken[] copy = batch.ToArray();
        int index;
        lock (_lock)
        {
            index = _batches.Count;
            _batches.Add(copy);
        }

        if (copy.Length == 0 || copy.Length > Metadata.BatchSize)
        {
            throw new InvalidOperationException($"Bad batch size {copy.Length}.");
        }

        OnDecode?.Invoke(index, copy);
        if (DecodeDelayMs > 0)
        {
            Thread.Sleep(DecodeDelayMs);
        }

        if (Interlocked.CompareExchange(ref InjectFailed, 0, 0) > 0)
        {
            Interlocked.Decrement(ref InjectFailed);
            return DecodeStatus.Failed;
        }

        if (Interlocked.CompareExchange(ref InjectNoKvSlot, 0, 0) > 0)
        {
            Interlocked.Decrement(ref InjectNoKvSlot);
            return DecodeStatus.NoKvSlot;
        }

        lock (_lock)
        {
            if (_cells.Count + copy.Length > Metadata.ContextSize)
            {
                return DecodeStatus.NoKvSlot;
            }

            _logits.Clear();
            for (int i = 0; i < copy.Length; i++)
            {
                BatchToken t = copy[i];
                int cells = _cells.Count(c => c.Owners.Contains(t.SequenceId));
                if (t.Position != cells)
                {
                    throw new InvalidOperationException($"Sequence {t.SequenceId}: position {t.Position} but {cells} cells in cache.");
                }

                _cells.Add((t.Position, [t.SequenceId]));
                if (t.WantLogits)
                {
                    var logits = new float[64];
                    logits[NextToken(t.Token, t.Position)] = 10f;
                    _logits[i] = logits;
                }
            }
        }

        return DecodeStatus.Ok;
    }

    public ReadOnlySpan<float> GetLogits(int batchIndex)
    {
        lock (_lock)
        {
            return _logits.TryGetValue(batchIndex, out float[]? logits)
                ? logits
                : throw new InvalidOperationException($"No logits for batch index {batchIndex}.");
        }
    }

    public ITokenSampler CreateSampler(SamplingParameters parameters, uint seed)
    {
        Interlocked.Increment(ref _liveSamplers);
        Interlocked.Increment(ref SamplersCreated);
        return new GreedySampler(this);
    }

    public void RemoveSequence(int sequenceId, int fromPosition = 0)
    {
        lock (_lock)
        {
            foreach (var cell in _cells)
            {
                if (cell.Position >= fromPosition)
                {
                    cell.Owners.Remove(sequenceId);
                }
            }

            _cells.RemoveAll(c => c.Owners.Count == 0);
        }
    }

    public int Copies { get; private set; }

    public void CopySequence(int sourceSequenceId, int destinationSequenceId, int tokenCount)
    {
        lock (_lock)
        {
            if (_cells.Any(c => c.Owners.Contains(destinationSequenceId)))
            {
                throw new InvalidOperationException($"Sequence {destinationSequenceId} is not empty before a copy.");
            }

            if (_cells.Count(c => c.Owners.Contains(sourceSequenceId) && c.Position < tokenCount) != tokenCount)
            {
                throw new InvalidOperationException($"Sequence {sourceSequenceId} does not hold {tokenCount} cells to copy.");
            }

            foreach (var cell in _cells)
            {
                if (cell.Position < tokenCount && cell.Owners.Contains(sourceSequenceId))
                {
                    cell.Owners.Add(destinationSequenceId);
                }
            }

            Copies++;
        }
    }

    public int StatesSaved { get; private set; }
    /// <summary>For each saved state, how many batches had been decoded when it was saved.</summary>
    public List<int> SavedAfterBatches { get; } = [];
    public int StatesRestored { get; private set; }
    /// <summary>Makes <see cref="RestoreSequenceState"/> fail (as llama.cpp does when the cells do not fit).</summary>
    public bool FailRestores { get; set; }
    /// <summary>Makes saving and restoring states throw (a runtime error in the native state API).</summary>
    public bool ThrowOnStates { get; set; }
    /// <summary>Bytes of fake state per KV cell.</summary>
    public const int StateBytesPerCell = 16;

    /// <summary>States saved and not yet disposed (the host tier owns them).</summary>
    public int LiveStates => Volatile.Read(ref _liveStates);

    private int _liveStates;

    /// <summary>A state of <see cref="StateBytesPerCell"/> bytes per cell that remembers its cell count.</summary>
    public ISavedKvState? SaveSequenceState(int sequenceId)
    {
        if (ThrowOnStates)
        {
            throw new InvalidOperationException("state API failed");
        }

        lock (_lock)
        {
            int cells = _cells.Count(c => c.Owners.Contains(sequenceId));
            StatesSaved++;
            SavedAfterBatches.Add(_batches.Count);
            Interlocked.Increment(ref _liveStates);
            return new FakeKvState(cells, Math.Max(4, cells * StateBytesPerCell), () => Interlocked.Decrement(ref _liveStates));
        }
    }

    public bool RestoreSequenceState(int sequenceId, ISavedKvState state)
    {
        if (ThrowOnStates)
        {
            throw new InvalidOperationException("state API failed");
        }

        lock (_lock)
        {
            if (_cells.Any(c => c.Owners.Contains(sequenceId)))
            {
                throw new InvalidOperationException($"Sequence {sequenceId} is not empty before a restore.");
            }

            int cells = ((FakeKvState)state).Cells;
            if (FailRestores || _cells.Count + cells > Metadata.ContextSize)
            {
                return false;
            }

            for (int position = 0; position < cells; position++)
            {
                _cells.Add((position, [sequenceId]));
            }

            StatesRestored++;
            return true;
        }
    }

    public void Dispose() => Disposed = true;

    private sealed class GreedySampler(FakeModelBackend backend) : ITokenSampler
    {
        private bool _disposed;

        public int Sample(int batchIndex)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (backend.SampleFailure is { } failure)
            {
                throw failure;
            }

            ReadOnlySpan<float> logits = backend.GetLogits(batchIndex);
            int best = 0;
            for (int i = 1; i < logits.Length; i++)
            {
                if (logits[i] > logits[best])
                {
                    best = i;
                }
            }

            return best;
        }

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                Interlocked.Decrement(ref backend._liveSamplers);
            }
        }
    }

    private sealed class FakeChatTemplate : IChatTemplate
    {
        public string Name => "fake";

        public string Render(ChatTemplateInput input) =>
            string.Concat(input.Messages.Select(m => m.Content));
    }
}
