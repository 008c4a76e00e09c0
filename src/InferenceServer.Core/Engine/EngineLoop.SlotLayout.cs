using InferenceServer.Core.Diagnostics;

namespace InferenceServer.Core.Engine;

/// <summary>
/// Where running sequences sit when every slot has its own KV stream. llama.cpp then computes a batch as micro-batches
/// of consecutive sequence ids (<c>split_equal</c>, sequential), each a whole forward pass, so the cost of a step grows
/// with the number of runs of consecutive running slots. Admission takes slots that add the fewest runs, and when
/// sequences finish out of order (a hole between runs) the last running sequence moves into the hole: a stream copy
/// (one buffer copy per layer, milliseconds) against a forward pass saved on every later step. Nothing here applies
/// to the unified cache, where the layout costs nothing.
/// </summary>
internal sealed partial class EngineLoop
{
    /// <summary>
    /// How taking the free <paramref name="slot"/> changes the number of runs of consecutive slot ids that hold a
    /// running sequence: -1 when it joins two runs, 0 when it extends one, 1 when it starts one (so every slot
    /// when none runs). llama.cpp computes
    /// each such run as its own micro-batch when every slot has its own KV stream (every weight read once per run),
    /// so slots are chosen to keep the runs few. Always 0 with the unified cache, where the layout costs nothing.
    /// </summary>
    private int RunsAdded(int slot)
    {
        if (!_separateKvStreams)
        {
            return 0;
        }

        bool left = slot > 0 && _slots[slot - 1] is not null;
        bool right = slot < _slots.Length - 1 && _slots[slot + 1] is not null;
        return left && right ? -1 : left || right ? 0 : 1;
    }

    /// <summary>The smallest <see cref="RunsAdded"/> over the free slots.</summary>
    private int FewestRunsAdded()
    {
        int fewest = int.MaxValue;
        for (int slot = 0; slot < _slots.Length; slot++)
        {
            if (_slots[slot] is null)
            {
                fewest = Math.Min(fewest, RunsAdded(slot));
            }
        }

        return fewest;
    }

    /// <summary>Moves running sequences until they fill one run of consecutive slots (separate KV streams only).</summary>
    private void CompactRunningSlots()
    {
        if (!_separateKvStreams)
        {
            return;
        }

        while (true)
        {
            int first = Array.FindIndex(_slots, s => s is not null);
            int last = Array.FindLastIndex(_slots, s => s is not null);
            int hole = first < 0 ? -1 : Array.FindIndex(_slots, first, last - first + 1, s => s is null);
            if (hole < 0)
            {
                return;
            }

            MoveSequence(last, hole);
        }
    }

    /// <summary>Moves the running sequence in slot <paramref name="from"/> and its KV cells to the free slot
    /// <paramref name="to"/> (whose cached prefix, if any, is dropped).</summary>
    private void MoveSequence(int from, int to)
    {
        SequenceState sequence = _slots[from]!;
        DropCachedPrefix(to);
        int cells = _ledger.Length(from);
        if (cells > 0)
        {
            _backend.CopySequence(from, to, cells);
            _ledger.CopyPrefix(from, to, cells);
            Trim(from, 0);
        }

        _slots[to] = sequence;
        _slots[from] = null;
        sequence.SlotId = to;
        _logger.SequenceMoved(sequence.Job.RequestId, from, to, cells);
    }
}
