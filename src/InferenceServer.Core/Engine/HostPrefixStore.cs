namespace InferenceServer.Core.Engine;

/// <summary>
/// The prefix cache's host-memory tier (llama-server's <c>--cache-ram</c>): serialized KV states of cached prefixes
/// that had to leave the context, kept most recently used first within a byte budget. A prompt that shares more
/// tokens with an entry than with anything still in the context restores it into a slot instead of recomputing.
/// Loop thread only. It owns the states it is given: each is disposed when its entry goes, and all of them on
/// <see cref="Dispose"/>.
/// </summary>
internal sealed class HostPrefixStore(long capacityBytes) : IDisposable
{
    private readonly LinkedList<Entry> _entries = new();

    /// <summary>Most entries kept whatever their size: every admission scans them (tiny models' states are small).</summary>
    public const int MaxEntries = 1024;

    /// <summary>One saved prefix: the tokens at positions 0..Tokens.Length-1 and their KV state.</summary>
    public sealed record Entry(int[] Tokens, ISavedKvState State);

    public long CapacityBytes { get; } = capacityBytes;

    /// <summary>Bytes of state held.</summary>
    public long Bytes { get; private set; }

    public int Count => _entries.Count;

    /// <summary>True when an entry already holds these tokens as (a prefix of) its own; that entry becomes the most
    /// recently used, and saving this prefix again would add nothing.</summary>
    public bool Covers(ReadOnlySpan<int> tokens)
    {
        for (var node = _entries.First; node is not null; node = node.Next)
        {
            if (node.Value.Tokens.AsSpan().StartsWith(tokens))
            {
                Touch(node);
                return true;
            }
        }

        return false;
    }

    /// <summary>Keeps a state as the most recently used entry, drops entries it extends, then the least recently used
    /// until the budget holds. A state larger than the whole budget is not kept (and disposed); returns whether it was.</summary>
    public bool Add(int[] tokens, ISavedKvState state)
    {
        if (state.Bytes > CapacityBytes || tokens.Length == 0)
        {
            state.Dispose();
            return false;
        }

        for (var node = _entries.First; node is not null;)
        {
            var next = node.Next;
            var held = node.Value.Tokens;
            if (tokens.AsSpan().StartsWith(held))
            {
                Remove(node);
            }

            node = next;
        }

        _entries.AddFirst(new Entry(tokens, state));
        Bytes += state.Bytes;
        while ((Bytes > CapacityBytes || _entries.Count > MaxEntries) && _entries.Last is { } last)
        {
            Remove(last);
        }

        return true;
    }

    /// <summary>The entry sharing the longest prefix (at most <paramref name="limit"/> tokens) with
    /// <paramref name="tokens"/>, and that length; the entry becomes the most recently used.</summary>
    public (Entry? Entry, int Common) FindLongest(ReadOnlySpan<int> tokens, int limit)
    {
        LinkedListNode<Entry>? best = null;
        int bestCommon = 0;
        for (var node = _entries.First; node is not null; node = node.Next)
        {
            int common = node.Value.Tokens.AsSpan(0, Math.Min(limit, node.Value.Tokens.Length)).CommonPrefixLength(tokens);
            if (common > bestCommon)
            {
                (best, bestCommon) = (node, common);
            }
        }

        if (best is null)
        {
            return (null, 0);
        }

        Touch(best);
        return (best.Value, bestCommon);
    }

    private void Touch(LinkedListNode<Entry> node)
    {
        if (node != _entries.First)
        {
            _entries.Remove(node);
            _entries.AddFirst(node);
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _entries.Remove(node);
        Bytes -= node.Value.State.Bytes;
        node.Value.State.Dispose();
    }

    /// <summary>Drops every entry, freeing their states.</summary>
    public void Dispose()
    {
        while (_entries.First is { } first)
        {
            Remove(first);
        }
    }
}
