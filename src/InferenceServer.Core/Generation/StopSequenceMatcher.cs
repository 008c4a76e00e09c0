namespace InferenceServer.Core.Generation;

/// <summary>
/// Finds OpenAI "stop" strings in streamed text. Holds back the last max(len(stop))-1 characters (never splitting a
/// surrogate pair) so a stop string split across deltas is never partly emitted. The first stop string to complete
/// wins (earliest end; on a tie the earliest start), which is also what a whole-text scan in arrival order finds.
/// Not thread-safe: one per sequence.
/// </summary>
public sealed class StopSequenceMatcher
{
    private readonly string[] _stops;
    private readonly int _holdBack;
    private string _buffer = "";

    public StopSequenceMatcher(IEnumerable<string>? stops)
    {
        _stops = (stops ?? []).Where(s => !string.IsNullOrEmpty(s)).Distinct(StringComparer.Ordinal).ToArray();
        _holdBack = _stops.Length == 0 ? 0 : _stops.Max(s => s.Length) - 1;
    }

    /// <summary>True once a stop string matched; later input is ignored.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Characters received but not yet released.</summary>
    public int HeldBackLength => _buffer.Length;

    /// <summary>Feeds a text delta; returns the text that is now safe to emit and whether a stop string matched
    /// (then the text up to the match is returned and nothing after it ever is).</summary>
    public StopMatchResult Push(string delta)
    {
        if (Stopped || string.IsNullOrEmpty(delta))
        {
            return new StopMatchResult("", Stopped);
        }

        if (_stops.Length == 0)
        {
            return new StopMatchResult(delta, false);
        }

        string buffer = _buffer + delta;
        int bestStart = -1;
        int bestEnd = int.MaxValue;
        foreach (string stop in _stops)
        {
            int index = buffer.IndexOf(stop, StringComparison.Ordinal);
            if (index < 0)
            {
                continue;
            }

            int end = index + stop.Length;
            if (end < bestEnd || (end == bestEnd && index < bestStart))
            {
                bestEnd = end;
                bestStart = index;
            }
        }

        if (bestStart >= 0)
        {
            Stopped = true;
            _buffer = "";
            return new StopMatchResult(buffer[..bestStart], true);
        }

        int cut = Math.Max(0, buffer.Length - _holdBack);
        if (cut > 0 && cut < buffer.Length && char.IsHighSurrogate(buffer[cut - 1]))
        {
            cut--;
        }

        _buffer = buffer[cut..];
        return new StopMatchResult(buffer[..cut], false);
    }

    /// <summary>End of stream: releases whatever is held back (it cannot contain a whole stop string).</summary>
    public string Flush()
    {
        string rest = Stopped ? "" : _buffer;
        _buffer = "";
        return rest;
    }
}

/// <summary>Result of <see cref="StopSequenceMatcher.Push"/>.</summary>
public readonly record struct StopMatchResult(string Text, bool Stopped);
