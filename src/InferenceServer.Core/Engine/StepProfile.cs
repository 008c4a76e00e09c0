using System.Diagnostics;

namespace InferenceServer.Core.Engine;

/// <summary>The parts of one engine step whose time is accounted separately.</summary>
public enum StepPhase
{
    /// <summary>Dropping cancelled sequences, admission (prefix-cache lookups included) and batch planning.</summary>
    Schedule,
    /// <summary>Filling the decode batch.</summary>
    Fill,
    /// <summary><c>llama_decode</c>.</summary>
    Decode,
    /// <summary>Reading logits and running each sequence's sampler chain (logprobs included).</summary>
    Sample,
    /// <summary>Detokenizing, UTF-8 reassembly, stop-string matching and posting updates to the HTTP side.</summary>
    Output,
    /// <summary>Finishing sequences, freeing or caching their cells, and the engine snapshot.</summary>
    Bookkeeping,
}

/// <summary>
/// Cumulative time per <see cref="StepPhase"/> of the engine loop (loop thread writes, anyone reads). Costs two
/// timestamp reads per phase; exported as the <c>inferenceserver.engine.step.time</c> counter.
/// </summary>
internal sealed class StepProfile
{
    private readonly long[] _ticks = new long[Enum.GetValues<StepPhase>().Length];

    /// <summary>Adds the time since <paramref name="since"/> to the phase and returns now (the next phase's start).</summary>
    public long Add(StepPhase phase, long since)
    {
        long now = Stopwatch.GetTimestamp();
        Interlocked.Add(ref _ticks[(int)phase], now - since);
        return now;
    }

    public IReadOnlyDictionary<StepPhase, double> Seconds()
    {
        var seconds = new Dictionary<StepPhase, double>(_ticks.Length);
        foreach (StepPhase phase in Enum.GetValues<StepPhase>())
        {
            seconds[phase] = Interlocked.Read(ref _ticks[(int)phase]) / (double)Stopwatch.Frequency;
        }

        return seconds;
    }
}
