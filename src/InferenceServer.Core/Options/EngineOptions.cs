namespace InferenceServer.Core.Options;

/// <summary>The "Engine" section: scheduling limits.</summary>
public sealed class EngineOptions
{
    public const string SectionName = "Engine";

    /// <summary>Sequence slots decoded together (continuous batching width). At most 256.</summary>
    public int MaxSequences { get; set; } = 8;
    /// <summary>Requests waiting for a slot before new ones get 429.</summary>
    public int QueueCapacity { get; set; } = 64;
    /// <summary>Seconds suggested in Retry-After when the queue is full.</summary>
    public int RetryAfterSeconds { get; set; } = 1;
    /// <summary>Largest prompt chunk one sequence may add to a step, so several prompts share the prefill budget.</summary>
    public int MaxPrefillChunk { get; set; } = 512;
    /// <summary>Prompt tokens a step may carry while at least as many sequences generate as prefill (at least one
    /// per generating sequence); keeps running streams' inter-token latency near a plain decode step's.</summary>
    public int PrefillWhileDecoding { get; set; } = 16;
    /// <summary>Updates (about one per token) one sequence may have waiting for its reader. A reader that falls this
    /// far behind (a client that stopped reading) loses its sequence: the job is cancelled and its slot freed.</summary>
    public int OutputBufferUpdates { get; set; } = 4096;
    /// <summary>Keep finished sequences' KV cells and reuse the longest common token prefix for later requests.</summary>
    public bool PrefixCache { get; set; } = true;
}
