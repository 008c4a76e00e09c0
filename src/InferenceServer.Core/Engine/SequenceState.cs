namespace InferenceServer.Core.Engine;

/// <summary>
/// Generation state of one sequence, owned by the loop thread. Keeps the whole token list (prompt + generated) so a
/// preempted sequence can be recomputed, and so n&gt;1 / beam search can fork it (CopySequence of a shared prefix).
/// Tokens[0..DecodedCount) are in the KV cache of <see cref="SlotId"/>; Tokens[DecodedCount..] are pending.
/// The next-token step is the pluggable <see cref="ITokenSampler"/> (a grammar or beam sampler plugs in there).
/// </summary>
internal sealed class SequenceState
{
    public SequenceState(InferenceJob job, ITokenSampler sampler, SequenceOutput output)
    {
        Job = job;
        Sampler = sampler;
        Output = output;
        PromptLength = job.Request.PromptTokens.Count;
        Tokens = new List<int>(job.Request.PromptTokens);
    }

    public InferenceJob Job { get; }
    public ITokenSampler Sampler { get; }
    public SequenceOutput Output { get; }
    public List<int> Tokens { get; }
    public int PromptLength { get; }
    /// <summary>Prompt tokens found in the prefix cache at first admission (usage.prompt_tokens_details.cached_tokens).</summary>
    public int CachedPromptTokens { get; set; }
    public int Generated => Tokens.Count - PromptLength;

    /// <summary>Tokens of this sequence held in the KV cache (n_past).</summary>
    public int DecodedCount { get; set; }
    public int Pending => Tokens.Count - DecodedCount;
    public bool IsGenerating => Generated > 0 && Pending == 1;

    /// <summary>Slot (llama sequence id) while admitted; -1 while waiting.</summary>
    public int SlotId { get; set; } = -1;
    /// <summary>Monotonic admission stamp: the highest is the preemption victim.</summary>
    public long AdmissionOrder { get; set; }

    public long? AdmittedTimestamp { get; set; }
    public DateTimeOffset? AdmittedAt { get; set; }
    public long? PrefillDoneTimestamp { get; set; }
    public DateTimeOffset? PrefillDoneAt { get; set; }
    public long? FirstTokenTimestamp { get; set; }

    /// <summary>Set while processing a step; applied after all entries are sampled.</summary>
    public Generation.FinishReason? PendingFinish { get; set; }
}
