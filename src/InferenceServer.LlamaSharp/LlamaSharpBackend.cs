using System.Diagnostics;
using InferenceServer.Core.Engine;
using InferenceServer.Core.Generation;
using LLama;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace InferenceServer.LlamaSharp;

/// <summary>
/// <see cref="IModelBackend"/> over one LLamaSharp model and context. Decode, logits, samplers and KV-cache calls
/// belong to the engine loop thread (one reusable <see cref="LLamaBatch"/>, not thread-safe); metadata, tokenizer
/// and chat template are thread-safe.
/// </summary>
public sealed class LlamaSharpBackend : IModelBackend
{
    private readonly LLamaWeights _weights;
    private readonly LLamaContext _context;
    private readonly LlamaSharpTokenizer _tokenizer;
    private readonly ILogger _logger;
    private readonly LLamaBatch _batch = new();
    private readonly StatePagePolicy _statePages = new(OperatingSystem.IsLinux());
    private readonly Lazy<LlamaGrammarApi> _grammarApi = new(LlamaGrammarApi.Load, LazyThreadSafetyMode.ExecutionAndPublication);
    private bool _disposed;

    internal LlamaSharpBackend(LLamaWeights weights, LLamaContext context, ModelMetadata metadata,
        LlamaSharpTokenizer tokenizer, IChatTemplate chatTemplate, ILogger logger)
    {
        _weights = weights;
        _context = context;
        _tokenizer = tokenizer;
        _logger = logger;
        Metadata = metadata;
        ChatTemplate = chatTemplate;
    }

    public ModelMetadata Metadata { get; }
    /// <summary>The loaded weights, shared with the embedding context (<see cref="LlamaSharpEmbedderFactory"/>).</summary>
    internal LLamaWeights Weights => _weights;
    public ITokenizer Tokenizer => _tokenizer;
    public IChatTemplate ChatTemplate { get; }

    public DecodeStatus Decode(ReadOnlySpan<BatchToken> batch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (batch.Length > Metadata.BatchSize)
        {
            throw new ArgumentException(
                $"A decode batch holds at most {Metadata.BatchSize} tokens, got {batch.Length}.", nameof(batch));
        }

        _batch.Clear();
        foreach (var entry in batch)
        {
            _batch.Add(entry.Token, entry.Position, (LLamaSeqId)entry.SequenceId, entry.WantLogits);
        }

        var code = (int)_context.NativeHandle.Decode(_batch);
        var status = MapDecodeResult(code);
        if (status == DecodeStatus.Failed)
        {
            LlamaSharpLog.DecodeFailed(_logger, code, batch.Length);
        }

        return status;
    }

    /// <summary>llama.cpp's start-up warm-up (llama-server's default): one decode of BOS and EOS in sequence 0 and one
    /// sample, then an empty sequence again, so that the first request does not pay for the first compute-buffer and
    /// weight touches, nor for compiling the sampling path.</summary>
    internal DecodeStatus WarmUp()
    {
        var vocab = _weights.Vocab;
        var tokens = new List<int>(2);
        if (vocab.BOS is { } bos) tokens.Add((int)bos);
        if (vocab.EOS is { } eos) tokens.Add((int)eos);
        if (tokens.Count == 0) tokens.Add(0);

        var batch = tokens.Select((token, i) => new BatchToken(token, i, 0, i == tokens.Count - 1)).ToArray();
        var status = Decode(batch);
        if (status == DecodeStatus.Ok)
        {
            using var sampler = CreateSampler(SamplingParameters.Default, 0);
            sampler.Sample(batch.Length - 1);
        }

        RemoveSequence(0);
        return status;
    }

    /// <summary>llama_decode: 0 ok, 1 no KV slot, 2 aborted, negative (or unknown) failure.</summary>
    internal static DecodeStatus MapDecodeResult(int code) => code switch
    {
        0 => DecodeStatus.Ok,
        1 => DecodeStatus.NoKvSlot,
        2 => DecodeStatus.Aborted,
        _ => DecodeStatus.Failed,
    };

    public ReadOnlySpan<float> GetLogits(int batchIndex)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _context.NativeHandle.GetLogitsIth(batchIndex);
    }

    public ITokenSampler CreateSampler(SamplingParameters parameters, uint seed)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new LlamaSharpSampler(_context.NativeHandle, _tokenizer, parameters, seed,
            parameters.Grammar is null ? null : _grammarApi.Value);
    }

    public void RemoveSequence(int sequenceId, int fromPosition = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _context.NativeHandle.MemorySequenceRemove((LLamaSeqId)sequenceId, Math.Max(0, fromPosition), -1);
    }

    public void CopySequence(int sourceSequenceId, int destinationSequenceId, int tokenCount)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(tokenCount);
        if (tokenCount == 0)
        {
            return;
        }

        if (Metadata.SeparateKvStreams)
        {
            // One KV stream per sequence: llama.cpp copies between streams only whole (a partial range is a
            // GGML_ASSERT that ends the process), as a buffer copy at the next decode. Copy it all, then drop what
            // lies past the prefix.
            _context.NativeHandle.MemorySequenceCopy((LLamaSeqId)sourceSequenceId, (LLamaSeqId)destinationSequenceId, 0, -1);
            _context.NativeHandle.MemorySequenceRemove((LLamaSeqId)destinationSequenceId, tokenCount, -1);
            return;
        }

        _context.NativeHandle.MemorySequenceCopy((LLamaSeqId)sourceSequenceId, (LLamaSeqId)destinationSequenceId, 0, tokenCount);
    }

    public unsafe ISavedKvState? SaveSequenceState(int sequenceId)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var seq = (LLamaSeqId)sequenceId;
        var size = _context.NativeHandle.GetStateSize(seq);
        if (size == 0)
        {
            return null;
        }

        bool hugePages = _statePages.UseHugePages((long)size);
        var state = NativeKvState.Allocate((long)size, hugePages);
        try
        {
            long started = Stopwatch.GetTimestamp();
            state.SetLength((long)_context.NativeHandle.GetState(state.Data, size, seq));
            _statePages.Record(hugePages, (long)size, Stopwatch.GetElapsedTime(started));
            return state;
        }
        catch
        {
            state.Dispose();
            throw;
        }
    }

    public unsafe bool RestoreSequenceState(int sequenceId, ISavedKvState state)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (state is not NativeKvState saved)
        {
            throw new ArgumentException("The state was not saved by this backend.", nameof(state));
        }

        var seq = (LLamaSeqId)sequenceId;
        if (_context.NativeHandle.SetState(saved.Data, (nuint)saved.Length, seq) > 0)
        {
            return true;
        }

        // llama.cpp leaves the sequence empty when the cells did not fit; make sure of it.
        _context.NativeHandle.MemorySequenceRemove(seq, 0, -1);
        return false;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        lock (NativeLibraryGate.Sync)
        {
            _context.Dispose();
            _weights.Dispose();
        }
    }
}
