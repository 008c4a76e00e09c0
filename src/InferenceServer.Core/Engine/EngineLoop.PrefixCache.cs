using System.Runtime.InteropServices;
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

    /// <summary>The host-memory tier; null when off.</summary>
    private readonly HostPrefixStore? _hostStore;

    /// <summary>Shortest prefix worth keeping in (and restoring from) host memory: a restore writes the whole saved
    /// state into fresh cells, which only pays where it saves a few dozen tokens of prefill.</summary>
    private const int MinimumHostPrefix = 32;

    /// <summary>Shortest prefix copied from another slot when each slot has its own KV stream (a copy there moves
    /// the whole stream, about as costly on a CPU as recomputing a few dozen tokens).</summary>
    private const int MinimumCopiedPrefix = 64;

    /// <summary>Idle cached cells that make <see cref="ShedIdlePrefix"/> act: llama.cpp pads the cells a step attends
    /// to to multiples of 256, so fewer would rarely shorten a step.</summary>
    private const int IdleCellsToShed = 256;

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
    private (int Slot, int Reused) TakeSlot(List<int> tokens, bool reusePrefix = true, bool fromHost = true)
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
        int inContext = copy ? best : inPlace >= 0 ? inPlaceBest : 0;
        if (fromHost && _hostStore is not null && _prefixCache && reusePrefix
            && _hostStore.FindLongest(CollectionsMarshal.AsSpan(tokens), limit) is ({ } saved, int fromSaved) && fromSaved >= inContext + MinimumHostPrefix)
        {
            int slot = FreeSlotToOverwrite();
            DropCachedPrefix(slot);
            // The slots that held the in-context candidates may have changed: look again if the state did not fit.
            return Restore(slot, saved, fromSaved) ? (slot, fromSaved) : TakeSlot(tokens, reusePrefix, fromHost: false);
        }

        if (!copy && inPlace >= 0)
        {
            DropCachedPrefix(inPlace, keep: inPlaceBest);
            return (inPlace, inPlaceBest);
        }

        int target = FreeSlotToOverwrite();
        DropCachedPrefix(target);
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

        int n = Math.Min(Math.Min(limit, _ledger.Length(slot)), held.Count);
        return CollectionsMarshal.AsSpan(held)[..n].CommonPrefixLength(CollectionsMarshal.AsSpan(tokens));
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

    /// <summary>
    /// With the unified cache, every decode step attends over the cells up to the highest one in use, so an idle
    /// slot's cached prefix slows every running token (masked cells are checked, and a one-token step over
    /// 512+ cells is split among threads by cell position, leaving threads whose share is all masked idle; measured
    /// in docs/performance.md). While sequences decode and idle prefixes hold
    /// <see cref="IdleCellsToShed"/> or more cells, the least recently used one of <see cref="MinimumHostPrefix"/>+
    /// tokens moves to the host tier (a copy of its cells: a few milliseconds), one per step, and only in a step
    /// where no sequence still waits for its first token: the copy writes fresh host memory (milliseconds per state on
    /// first touch in a VM, docs/engine-notes.md), which in a prompt's step would add to that request's TTFT.
    /// </summary>
    private void ShedIdlePrefix()
    {
        if (!ShedsIdlePrefixes || _active.Count == 0 || EvictableCells() < IdleCellsToShed
            || _active.Exists(static s => s.Generated == 0))
        {
            return;
        }

        int lru = LeastRecentlyUsedCachedSlot(sheddableOnly: true);
        if (lru >= 0)
        {
            Shed(lru);
        }
    }

    /// <summary>Idle prefixes may leave for the host tier: shedding on, the tier on, and the unified cache (with one
    /// stream per slot a step reads only its own sequences' cells, so idle ones cost nothing).</summary>
    private bool ShedsIdlePrefixes => _shedIdlePrefixes && _hostStore is not null && !_separateKvStreams;

    private void Shed(int slot)
    {
        _logger.PrefixShed(slot, _ledger.Length(slot));
        DropCachedPrefix(slot);
    }

    /// <summary>
    /// After <see cref="IdleShedDelay"/> with nothing to do: moves idle cached prefixes to the host tier, least recently
    /// used first, while <see cref="IdleCellsToShed"/>+ cells are idle, keeping the most recently used one in place (a
    /// conversation's next turn usually comes back to it). The next requests then start with a short attention span
    /// without paying those saves in their own steps: a 16-stream burst leaves 16 prefixes, which a following stream
    /// would otherwise shed one per step, each save stalling it (docs/performance.md). Stops as soon as a request
    /// arrives; returns whether one did (its wake-up is then taken).
    /// </summary>
    private bool ShedWhileIdle()
    {
        bool shed = false, woken = false;
        while (!woken && !_stopping && ShedsIdlePrefixes && _active.Count == 0 && EvictableCells() >= IdleCellsToShed)
        {
            int lru = LeastRecentlyUsedCachedSlot(sheddableOnly: true);
            if (lru < 0 || lru == MostRecentlyUsedCachedSlot())
            {
                break;
            }

            Shed(lru);
            shed = true;
            woken = _wake.WaitOne(0);
        }

        if (shed)
        {
            _snapshot = BuildSnapshot();
        }

        return woken;
    }

    private int MostRecentlyUsedCachedSlot()
    {
        int mru = -1;
        for (int slot = 0; slot < _cache.Length; slot++)
        {
            if (_cache[slot] is { } cached && (mru < 0 || cached.LastUsed >= _cache[mru]!.LastUsed)) // the last of equals: never the least recent's pick
            {
                mru = slot;
            }
        }

        return mru;
    }

    /// <summary>The idle slot whose cached prefix was used least recently, or -1; with <paramref name="sheddableOnly"/>,
    /// only among prefixes the host tier keeps (<see cref="MinimumHostPrefix"/>+ tokens) that hold cells of their own.</summary>
    private int LeastRecentlyUsedCachedSlot(bool sheddableOnly = false)
    {
        int lru = -1;
        for (int slot = 0; slot < _cache.Length; slot++)
        {
            if (_cache[slot] is { } cached && (lru < 0 || cached.LastUsed < _cache[lru]!.LastUsed)
                && (!sheddableOnly || (_ledger.Exclusive(slot) > 0 && _ledger.Length(slot) >= MinimumHostPrefix)))
            {
                lru = slot;
            }
        }

        return lru;
    }

    /// <summary>Drops the least recently used cached prefix; false when there is none.</summary>
    private bool EvictCachedPrefix()
    {
        int lru = LeastRecentlyUsedCachedSlot();
        if (lru < 0)
        {
            return false;
        }

        _logger.PrefixEvicted(lru, _ledger.Length(lru));
        DropCachedPrefix(lru);
        return true;
    }

    /// <summary>Frees an idle slot's cached cells from <paramref name="keep"/> on and forgets the prefix; with the
    /// host tier on, a prefix losing at least <see cref="MinimumHostPrefix"/> tokens is saved there first.</summary>
    private void DropCachedPrefix(int slot, int keep = 0)
    {
        if (_hostStore is not null && _cache[slot] is { } cached && _ledger.Length(slot) - keep >= MinimumHostPrefix)
        {
            SaveToHost(slot, cached.Tokens, _ledger.Length(slot));
        }

        Trim(slot, keep);
        _cache[slot] = null;
    }

    /// <summary>Saving is an optimization: a runtime that fails it loses the prefix, never the request.</summary>
    private void SaveToHost(int slot, List<int> held, int length)
    {
        int[] tokens = held.GetRange(0, length).ToArray();
        if (_hostStore!.Covers(tokens))
        {
            return;
        }

        ISavedKvState? state;
        try
        {
            state = _backend.SaveSequenceState(slot);
        }
        catch (Exception ex)
        {
            _logger.PrefixStateFailed("save", slot, ex);
            return;
        }

        if (state is null)
        {
            return;
        }

        long stateBytes = state.Bytes;
        bool kept = _hostStore.Add(tokens, state);
        _logger.PrefixSavedToHost(slot, length, stateBytes, kept, _hostStore.Count, _hostStore.Bytes);
    }

    /// <summary>The runtime's restore; a failure that throws counts as one that did not fit (the slot is emptied).</summary>
    private bool TryRestoreState(int slot, ISavedKvState state)
    {
        try
        {
            return _backend.RestoreSequenceState(slot, state);
        }
        catch (Exception ex)
        {
            _logger.PrefixStateFailed("restore", slot, ex);
            TryRemoveKv(slot, 0);
            return false;
        }
    }

    /// <summary>Loads a saved prefix into the emptied <paramref name="slot"/> and keeps its first
    /// <paramref name="reuse"/> tokens; false when its cells cannot be found (the slot is then empty).</summary>
    private bool Restore(int slot, HostPrefixStore.Entry saved, int reuse)
    {
        // llama.cpp writes the whole saved state before the tail is trimmed: room for all of it, for a moment.
        int cells = saved.Tokens.Length;
        while (_contextSize - _ledger.Used < cells && EvictCachedPrefix())
        {
        }

        if (_contextSize - _ledger.Used < cells || !TryRestoreState(slot, saved.State))
        {
            _logger.PrefixRestoreFailed(slot, cells);
            return false;
        }

        _ledger.Append(slot, cells);
        Trim(slot, reuse);
        _logger.PrefixRestoredFromHost(slot, reuse, cells);
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
