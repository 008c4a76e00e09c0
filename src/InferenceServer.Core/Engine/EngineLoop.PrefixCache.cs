using InferenceServer.Core.Diagnostics;

namespace InferenceServer.Core.Engine;

/// <summary>
/// The prefix cache: a finished sequence leaves its KV cells in its slot, and the next job reuses the longest common
/// token prefix of any slot, its own (trimmed in place) or another's (shared by a sequence copy, which adds no cells
/// in the unified cache). Idle slots' prefixes are evicted least recently used first when cells are needed.
/// </summary>
internal sealed partial class EngineLoop
{
    private readonly CachedPrefix?[] _cache;

    /// <summary>Shortest prefix copied from another slot when each slot has its own KV stream (a copy there moves
    /// the whole stream, about as costly on a CPU as recomputing a few dozen tokens).</summary>
    private const int MinimumCopiedPrefix = 64;

    /// <summary>Tokens an idle slot holds in the KV cache (the first <see cref="KvCellLedger.Length"/> of them).</summary>
    private sealed record CachedPrefix(List<int> Tokens, long LastUsed);

    /// <summary>
    /// Picks the slot for a sequence with these tokens and prepares its KV cells; returns how many leading tokens
    /// are already there. At least the last token is always recomputed (its logits are needed).
    /// </summary>
    /// <remarks>
    /// The longest prefix held by a slot this sequence may take is kept in place; a longer one held elsewhere is
    /// copied in. With one KV stream per slot, only slots that keep the running sequences' ids as few consecutive
    /// runs may be taken (<see cref="RunsAdded"/>), and a copy moves a whole stream, so shorter prefixes than
    /// <see cref="MinimumCopiedPrefix"/> are recomputed instead.
    /// </remarks>
    private (int Slot, int Reused) TakeSlot(List<int> tokens, bool reusePrefix = true)
    {
        int limit = tokens.Count - 1;
        int source = -1, best = 0, inPlace = -1, inPlaceBest = 0;
        if (_prefixCache && reusePrefix)
        {
            int fewestRuns = FewestRunsAdded();
            for (int slot = 0; slot < _slots.Length; slot++)
            {
                int common = CommonPrefix(tokens, slot, limit);
                if (common > best)
                {
                    (source, best) = (slot, common);
                }

                if (common > inPlaceBest && _slots[slot] is null && RunsAdded(slot) == fewestRuns)
                {
                    (inPlace, inPlaceBest) = (slot, common);
                }
            }
        }

        bool copy = best > inPlaceBest && (!_separateKvStreams || best >= MinimumCopiedPrefix);
        if (!copy && inPlace >= 0)
        {
            Trim(inPlace, inPlaceBest);
            _cache[inPlace] = null;
            return (inPlace, inPlaceBest);
        }

        int target = FreeSlotToOverwrite();
        Trim(target, 0);
        _cache[target] = null;
        if (copy)
        {
            _backend.CopySequence(source, target, best);
            _ledger.CopyPrefix(source, target, best);
            return (target, best);
        }

        return (target, 0);
    }

    /// <summary>Longest common prefix of <paramref name="tokens"/> and what <paramref name="slot"/> holds in KV.</summary>
    private int CommonPrefix(List<int> tokens, int slot, int limit)
    {
        List<int>? held = _slots[slot]?.Tokens ?? _cache[slot]?.Tokens;
        if (held is null)
        {
            return 0;
        }

        int n = Math.Min(limit, _ledger.Length(slot));
        int i = 0;
        while (i < n && held[i] == tokens[i])
        {
            i++;
        }

        return i;
    }

    /// <summary>A slot with no running sequence: an empty one first, else the least recently used cached prefix;
    /// with one KV stream per slot, only among those adding the fewest runs of consecutive running ids.</summary>
    private int FreeSlotToOverwrite()
    {
        int fewestRuns = FewestRunsAdded();
        int lru = -1;
        for (int slot = 0; slot < _slots.Length; slot++)
        {
            if (_slots[slot] is not null || RunsAdded(slot) != fewestRuns)
            {
                continue;
            }

            if (_cache[slot] is null)
            {
                return slot;
            }

            if (lru < 0 || _cache[slot]!.LastUsed < _cache[lru]!.LastUsed)
            {
                lru = slot;
            }
        }

        return lru >= 0 ? lru : throw new InvalidOperationException("No free slot.");
    }

    /// <summary>Evicts cached prefixes until <paramref name="cells"/> cells are free beyond everything committed.</summary>
    private void MakeRoomFor(int cells)
    {
        while (_contextSize - KvCellsCommitted() < cells && EvictCachedPrefix())
        {
        }
    }

    /// <summary>Drops the least recently used cached prefix; false when there is none.</summary>
    private bool EvictCachedPrefix()
    {
        int lru = -1;
        for (int slot = 0; slot < _cache.Length; slot++)
        {
            if (_cache[slot] is { } cached && (lru < 0 || cached.LastUsed < _cache[lru]!.LastUsed))
            {
                lru = slot;
            }
        }

        if (lru < 0)
        {
            return false;
        }

        _logger.PrefixEvicted(lru, _ledger.Length(lru));
        Trim(lru, 0);
        _cache[lru] = null;
        return true;
    }

    /// <summary>Cells that evicting every cached prefix would free.</summary>
    private int EvictableCells()
    {
        int cells = 0;
        for (int slot = 0; slot < _cache.Length; slot++)
        {
            if (_cache[slot] is not null)
            {
                cells += _ledger.Exclusive(slot);
            }
        }

        return cells;
    }

    /// <summary>Leaves a finished sequence's cells in its slot for later reuse (when the cache is on).</summary>
    private bool TryKeepPrefix(SequenceState sequence)
    {
        if (!_prefixCache || sequence.DecodedCount == 0)
        {
            return false;
        }

        _cache[sequence.SlotId] = new CachedPrefix(sequence.Tokens, _time.GetTimestamp());
        return true;
    }

    /// <summary>Frees the slot's cells from <paramref name="from"/> on, in llama.cpp and in the ledger.</summary>
    private void Trim(int slot, int from)
    {
        if (_ledger.Length(slot) > from)
        {
            TryRemoveKv(slot, from);
            _ledger.Trim(slot, from);
        }
    }
}
