namespace InferenceServer.Core.Engine;

/// <summary>
/// Counts the KV cells of the unified llama.cpp cache the way llama.cpp holds them: a cell belongs to a set of
/// sequence ids and is free only when that set is empty. Each slot's cells cover positions 0..Length-1. Copying a
/// prefix to another slot (<c>llama_memory_seq_cp</c>) shares cells instead of adding any; trimming a slot
/// (<c>llama_memory_seq_rm</c>) frees only the cells no other slot still holds. Pure bookkeeping, loop thread only.
/// </summary>
/// <remarks>
/// Cells are kept as runs (segments) of consecutive positions with one owner set. Because sharing only ever starts
/// at position 0, the segments form a tree and stay few (at most about two per slot).
/// </remarks>
internal sealed class KvCellLedger
{
    private readonly List<Segment> _segments = [];
    private readonly int[] _lengths;

    public KvCellLedger(int slots) => _lengths = new int[slots];

    /// <summary>Distinct cells in use.</summary>
    public int Used { get; private set; }

    /// <summary>Positions the slot holds (its sequence's n_past).</summary>
    public int Length(int slot) => _lengths[slot];

    /// <summary>The slot decoded <paramref name="count"/> more tokens (new cells of its own).</summary>
    public void Append(int slot, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0)
        {
            return;
        }

        Segment? last = null;
        foreach (Segment segment in _segments)
        {
            if (segment.End == _lengths[slot] && segment.Owners.Count == 1 && segment.Owners.Contains(slot))
            {
                last = segment;
                break;
            }
        }

        if (last is not null)
        {
            last.Length += count;
        }
        else
        {
            _segments.Add(new Segment(_lengths[slot], count, [slot]));
        }

        _lengths[slot] += count;
        Used += count;
    }

    /// <summary>An empty slot takes a share of the first <paramref name="count"/> cells of another.</summary>
    public void CopyPrefix(int source, int destination, int count)
    {
        if (_lengths[destination] != 0)
        {
            throw new InvalidOperationException($"Slot {destination} must be empty before a copy.");
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _lengths[source]);
        if (count <= 0)
        {
            return;
        }

        SplitAt(source, count);
        foreach (Segment segment in _segments)
        {
            if (segment.Start < count && segment.Owners.Contains(source))
            {
                segment.Owners.Add(destination);
            }
        }

        _lengths[destination] = count;
    }

    /// <summary>The slot drops its cells from <paramref name="from"/> on; returns how many cells became free.</summary>
    public int Trim(int slot, int from)
    {
        from = Math.Max(0, from);
        if (from >= _lengths[slot])
        {
            return 0;
        }

        SplitAt(slot, from);
        int freed = 0;
        for (int i = _segments.Count - 1; i >= 0; i--)
        {
            Segment segment = _segments[i];
            if (segment.Start >= from && segment.Owners.Remove(slot) && segment.Owners.Count == 0)
            {
                freed += segment.Length;
                _segments.RemoveAt(i);
            }
        }

        _lengths[slot] = from;
        Used -= freed;
        return freed;
    }

    /// <summary>Cells that trimming the slot to zero would free (those no other slot shares).</summary>
    public int Exclusive(int slot)
    {
        int cells = 0;
        foreach (Segment segment in _segments)
        {
            if (segment.Owners.Count == 1 && segment.Owners.Contains(slot))
            {
                cells += segment.Length;
            }
        }

        return cells;
    }

    /// <summary>Splits the slot's segment that straddles <paramref name="position"/> so a boundary falls there.</summary>
    private void SplitAt(int slot, int position)
    {
        for (int i = 0; i < _segments.Count; i++)
        {
            Segment segment = _segments[i];
            if (segment.Start < position && position < segment.End && segment.Owners.Contains(slot))
            {
                int head = position - segment.Start;
                _segments.Add(new Segment(position, segment.Length - head, [.. segment.Owners]));
                segment.Length = head;
                return;
            }
        }
    }

    private sealed class Segment(int start, int length, HashSet<int> owners)
    {
        public int Start { get; } = start;
        public int Length { get; set; } = length;
        public int End => Start + Length;
        public HashSet<int> Owners { get; } = owners;
    }
}
