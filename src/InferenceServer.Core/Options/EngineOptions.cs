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
    /// <summary>While at least as many sequences generate as prefill, a step with prompt tokens may take at most this
    /// many times a plain decode step (measured; see <c>PrefillPacer</c>), so a long prompt arriving among running
    /// streams at most doubles their inter-token latency by default. 0 turns pacing off (<see cref="PrefillWhileDecoding"/> only).</summary>
    public double PrefillStallFactor { get; set; } = 2.0;
    /// <summary>When a request wakes the idle engine, it waits until no other request has arrived for this many
    /// milliseconds (at most <see cref="ArrivalGatherLimitFactor"/> times as long) before the first step, so requests
    /// sent together (a client's parallel calls, clients of one event) are prefilled in one step and decode in step
    /// with each other. When the engine went idle because sequences finished in one step and a request comes within
    /// that limit, it takes them for those clients' next requests: it waits (within the same limit) until as many are
    /// queued, then starts at once. 0 starts at once. 5 ms: on a 2-core box busy with llama.cpp, requests a client sent at
    /// once reached the engine up to 4 ms apart, and 2 ms split them.</summary>
    public double ArrivalGatherMilliseconds { get; set; } = 5.0;
    /// <summary>The longest gathering wait, in multiples of <see cref="ArrivalGatherMilliseconds"/>.</summary>
    public const int ArrivalGatherLimitFactor = 8;
    /// <summary>Prompt tokens a step may carry while streams generate, until step times are measured or with pacing
    /// off (then at least one per generating sequence).</summary>
    public int PrefillWhileDecoding { get; set; } = 16;
    /// <summary>Updates (about one per token) one sequence may have waiting for its reader. A reader that falls this
    /// far behind (a client that stopped reading) loses its sequence: the job is cancelled and its slot freed.</summary>
    public int OutputBufferUpdates { get; set; } = 4096;
    /// <summary>Keep finished sequences' KV cells and reuse the longest common token prefix for later requests.</summary>
    public bool PrefixCache { get; set; } = true;
    /// <summary>Host memory (MiB) for the prefix cache's second tier: KV states of cached prefixes that leave the
    /// context are kept here and restored when a later prompt shares them (llama-server's <c>--cache-ram</c>).
    /// 0 turns the tier off; it is off as well when <see cref="PrefixCache"/> is.</summary>
    public int PrefixCacheHostMiB { get; set; } = 1024;
    /// <summary>With the unified KV cache and the host tier on: while sequences decode, idle slots' cached prefixes of
    /// 32+ tokens move to host memory (one per step, least recently used first) once they hold 256 or more cells, and
    /// so they do after a second with nothing to do (keeping the most recently used one in place).
    /// Every decode step attends over the cells up to the highest one in use, so idle prefixes otherwise cost every running
    /// token time (llama.cpp's attention spans them, masked, and splits a one-token step's cells among threads by
    /// position).</summary>
    public bool ShedIdlePrefixes { get; set; } = true;
}
