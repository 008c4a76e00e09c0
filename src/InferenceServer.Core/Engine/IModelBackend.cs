using InferenceServer.Core.Generation;

namespace InferenceServer.Core.Engine;

/// <summary>
/// The seam between the scheduler and a concrete inference runtime (LLamaSharp in production, a fake in scheduler
/// tests). One model, one context with <see cref="ModelMetadata.MaxSequences"/> sequence slots.
/// Thread rules: <see cref="Metadata"/>, <see cref="Tokenizer"/> and <see cref="ChatTemplate"/> are thread-safe;
/// every other member is called only from the engine loop thread.
/// </summary>
public interface IModelBackend : IDisposable
{
    ModelMetadata Metadata { get; }
    ITokenizer Tokenizer { get; }
    IChatTemplate ChatTemplate { get; }

    /// <summary>Decodes one batch (at most <see cref="ModelMetadata.BatchSize"/> tokens) in one forward pass.</summary>
    DecodeStatus Decode(ReadOnlySpan<BatchToken> batch);

    /// <summary>Raw next-token logits (length = vocab size) for the batch entry at <paramref name="batchIndex"/>
    /// that asked for logits in the last <see cref="Decode"/>. Valid until the next decode.</summary>
    ReadOnlySpan<float> GetLogits(int batchIndex);

    /// <summary>A stateful sampler chain for one sequence (penalties, bias, top-k/p, min-p, temperature, seed).</summary>
    ITokenSampler CreateSampler(SamplingParameters parameters, uint seed);

    /// <summary>Frees the KV cells of <paramref name="sequenceId"/> from <paramref name="fromPosition"/> on (0 = all).</summary>
    void RemoveSequence(int sequenceId, int fromPosition = 0);

    /// <summary>Shares the first <paramref name="tokenCount"/> KV cells of one sequence with another (n&gt;1, beam
    /// search, prefix cache) without recomputation.</summary>
    void CopySequence(int sourceSequenceId, int destinationSequenceId, int tokenCount);

    /// <summary>The KV cells of <paramref name="sequenceId"/> serialized (llama.cpp <c>llama_state_seq_get_data</c>),
    /// for the prefix cache's host-memory tier, which disposes it; null when this runtime cannot.</summary>
    ISavedKvState? SaveSequenceState(int sequenceId) => null;

    /// <summary>Loads a state from <see cref="SaveSequenceState"/> into the empty <paramref name="sequenceId"/>
    /// (same positions, new cells); false when it did not fit, and the sequence is then empty.</summary>
    bool RestoreSequenceState(int sequenceId, ISavedKvState state) => false;
}

/// <summary>One token of a decode batch.</summary>
public readonly record struct BatchToken(int Token, int Position, int SequenceId, bool WantLogits);

public enum DecodeStatus
{
    Ok,
    /// <summary>No KV cells left for this batch: free a sequence and retry.</summary>
    NoKvSlot,
    Aborted,
    Failed,
}

/// <summary>Samples one token from the logits of a batch entry and accepts it into its own state.</summary>
public interface ITokenSampler : IDisposable
{
    int Sample(int batchIndex);
}

/// <summary>Renders chat messages to prompt text with the model's template (or a configured override).
/// Thread-safe.</summary>
public interface IChatTemplate
{
    /// <summary>Where the template came from: "gguf", "custom", or a llama.cpp built-in name such as "chatml".</summary>
    string Name { get; }

    /// <summary>The Jinja source when the template is Jinja (GET /props shows it); null for llama.cpp built-ins.</summary>
    string? Source => null;

    /// <summary>The model's BOS and EOS token texts (the template's <c>bos_token</c> and <c>eos_token</c>).</summary>
    string BosToken => "";

    string EosToken => "";

    /// <summary>The prompt text; throws an invalid-request <see cref="Errors.InferenceException"/> when the template
    /// refuses the conversation (its <c>raise_exception</c> message).</summary>
    string Render(ChatTemplateInput input);

    string Apply(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt) =>
        Render(new ChatTemplateInput(messages) { AddGenerationPrompt = addGenerationPrompt });
}

/// <summary>Static facts about the loaded model and the context built for it.</summary>
public sealed record ModelMetadata
{
    /// <summary>The id clients send as "model" (configured, else the file name without extension).</summary>
    public required string Id { get; init; }
    public required string Architecture { get; init; }
    /// <summary>KV cells of the context, shared by all sequences.</summary>
    public required int ContextSize { get; init; }
    public required int TrainingContextLength { get; init; }
    /// <summary>KV cells one sequence may use: the whole context with the unified cache, else its slot's stream.</summary>
    public int SequenceContextSize
    {
        get => _sequenceContextSize ?? ContextSize;
        init => _sequenceContextSize = value;
    }

    private readonly int? _sequenceContextSize;

    /// <summary>Each sequence has its own KV stream (llama.cpp's non-unified cache): copies between them move whole streams.</summary>
    public bool SeparateKvStreams => SequenceContextSize < ContextSize;

    /// <summary>The longest one sequence (prompt + completion) may grow: its share of the context, capped at the
    /// model's training context (positions past it are untrained; OpenAI and vLLM report the model's length as the limit).</summary>
    public int MaxSequenceLength => TrainingContextLength > 0 ? Math.Min(SequenceContextSize, TrainingContextLength) : SequenceContextSize;
    /// <summary>Most tokens one decode call takes.</summary>
    public required int BatchSize { get; init; }
    /// <summary>Sequence slots in the context.</summary>
    public required int MaxSequences { get; init; }
    public required int VocabSize { get; init; }
    public int EmbeddingLength { get; init; }
    public long ParameterCount { get; init; }
    public long SizeBytes { get; init; }
    /// <summary>Unix seconds: when the model file was written (the "created" of /v1/models).</summary>
    public long Created { get; init; }
}
