using System.Diagnostics;
using InferenceServer.Core.Options;

namespace InferenceServer.Core.Engine;

/// <summary>Gathering requests that arrive together at an idle engine, so they start in one step.</summary>
internal sealed partial class EngineLoop
{
    /// <summary>Requests queued when the last decode step ended, and when it ended (<see cref="GatherFollowUps"/>).</summary>
    private int _queuedAtLastDecode;
    private long _lastDecodeEnd;

    /// <summary>How long the engine must have had nothing to do before it tidies idle prefixes away
    /// (<see cref="ShedWhileIdle"/>): far longer than closed-loop clients take to send their next requests, so the end
    /// of a wave is never delayed by it.</summary>
    internal static readonly TimeSpan IdleShedDelay = TimeSpan.FromSeconds(1);

    /// <summary>Sleeps while there is nothing to do (tidying idle prefixes away once it has slept
    /// <see cref="IdleShedDelay"/>), then gathers what arrives (<see cref="GatherArrivals"/>).</summary>
    private void WaitForArrivals()
    {
        int expected = _finishedInLastDecode;
        _finishedInLastDecode = 0; // taken: the step that admits what arrives must not gather for them again
        long idleSince = Stopwatch.GetTimestamp();
        if (!_wake.WaitOne(IdleShedDelay) && !ShedWhileIdle())
        {
            _wake.WaitOne();
        }

        GatherArrivals(expected, idleSince);
    }

    /// <summary>
    /// Before admitting: when the last step finished every running sequence while some requests were already queued,
    /// waits (within the gather limit of that step's end) until the queue holds the queued ones plus one per sequence
    /// that finished, so a wave of closed-loop clients starts together again. Without it, one client whose stream ended
    /// a step before its peers' (it started a step later, or asked for fewer tokens) has its next request prefilled
    /// alone, its peers' next requests join a step later, and that split repeats with every wave: each wave then costs
    /// one more prefill step, and every later arrival's prompt lands beside running streams. Nothing is running, so
    /// nothing is stalled; the queued requests wait at most the limit.
    /// </summary>
    private void GatherFollowUps()
    {
        if (_active.Count > 0 || _finishedInLastDecode == 0 || _queue.Count == 0)
        {
            return;
        }

        int expected = _finishedInLastDecode + _queuedAtLastDecode;
        _finishedInLastDecode = 0;
        if (expected > _queue.Count)
        {
            GatherArrivals(expected, _lastDecodeEnd);
        }
    }

    /// <summary>
    /// Woken from idle by a request: waits while more keep arriving (each within the gather interval, up to
    /// <see cref="EngineOptions.ArrivalGatherLimitFactor"/> intervals), so requests sent together start in one step.
    /// Without it the first is prefilled alone and the rest join a step later, and on a CPU that one-step offset
    /// lasts: every later arrival's prompt lands next to running streams instead of with its peers. When the engine
    /// went idle because <paramref name="expected"/> sequences finished in one step, and the request comes within the
    /// limit of that, it is taken for their clients' next requests (closed-loop clients, agents, batch jobs): the
    /// engine waits, within the same limit, until that many are queued, however far apart the HTTP side hands them
    /// over on a busy box, and then starts at once instead of waiting out a quiet interval.
    /// </summary>
    private void GatherArrivals(int expected, long idleSince)
    {
        if (_arrivalGather <= TimeSpan.Zero)
        {
            return;
        }

        var limit = TimeSpan.FromTicks(_arrivalGather.Ticks * EngineOptions.ArrivalGatherLimitFactor);
        bool followUps = expected > 0 && Stopwatch.GetElapsedTime(idleSince) <= limit;
        long deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (!_stopping)
        {
            if (followUps && _queue.Count >= expected)
            {
                return;
            }

            TimeSpan left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (left <= TimeSpan.Zero)
            {
                return;
            }

            if (!_wake.WaitOne(followUps ? left : (left < _arrivalGather ? left : _arrivalGather)) && !followUps)
            {
                return;
            }
        }
    }
}
