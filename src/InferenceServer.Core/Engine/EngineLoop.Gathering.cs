using System.Diagnostics;
using InferenceServer.Core.Options;

namespace InferenceServer.Core.Engine;

/// <summary>Gathering requests that arrive together at an idle engine, so they start in one step.</summary>
internal sealed partial class EngineLoop
{
    /// <summary>
    /// Woken from idle by a request: waits while more keep arriving (each within the gather interval, up to
    /// <see cref="EngineOptions.ArrivalGatherLimitFactor"/> intervals), so requests sent together start in one step.
    /// Without it the first is prefilled alone and the rest join a step later, and on a CPU that one-step offset
    /// lasts: every later arrival's prompt lands next to running streams instead of with its peers. When the engine
    /// went idle because <paramref name="expected"/> sequences finished in one step, their clients' next requests are
    /// likely on the way together (closed-loop clients, agents, batch jobs), though the HTTP side may hand them over
    /// several intervals apart on a busy box: then it keeps waiting, within the same limit, until that many are queued.
    /// </summary>
    private void GatherArrivals(int expected)
    {
        if (_arrivalGather <= TimeSpan.Zero)
        {
            return;
        }

        long deadline = Stopwatch.GetTimestamp() + (long)(_arrivalGather.TotalSeconds * EngineOptions.ArrivalGatherLimitFactor * Stopwatch.Frequency);
        while (!_stopping)
        {
            TimeSpan left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (left <= TimeSpan.Zero)
            {
                return;
            }

            bool waitForExpected = _queue.Count < expected;
            if (!_wake.WaitOne(waitForExpected ? left : (left < _arrivalGather ? left : _arrivalGather)) && !waitForExpected)
            {
                return;
            }
        }
    }
}
