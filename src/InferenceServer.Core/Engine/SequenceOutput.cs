using InferenceServer.Core.Generation;

namespace InferenceServer.Core.Engine;

/// <summary>
/// Token bytes to text deltas for one sequence: incremental UTF-8 decoding, stop-string matching, and logprob
/// release (a token's logprob travels with the update that releases its text; held-back tokens' logprobs wait).
/// </summary>
internal sealed class SequenceOutput
{
    private readonly Utf8StreamDecoder _decoder = new();
    private readonly StopSequenceMatcher _matcher;
    private readonly List<(TokenLogprob Logprob, long Start, long End)>? _logprobs;
    private long _decodedChars;
    private long _emittedChars;

    public SequenceOutput(IReadOnlyList<string> stopSequences, bool wantLogprobs)
    {
        _matcher = new StopSequenceMatcher(stopSequences);
        _logprobs = wantLogprobs ? [] : null;
    }

    public bool WantsLogprobs => _logprobs is not null;

    /// <summary>True once a stop string matched (nothing more is ever emitted).</summary>
    public bool Stopped => _matcher.Stopped;

    /// <summary>Adds one generated token; returns what to emit now and whether a stop string matched.</summary>
    public (string Text, IReadOnlyList<TokenLogprob>? Logprobs, bool Stopped) OnToken(ReadOnlySpan<byte> bytes, TokenLogprob? logprob)
    {
        long start = _decodedChars;
        string text = _decoder.Append(bytes);
        _decodedChars += text.Length;
        if (_logprobs is not null && logprob is not null)
        {
            // A token that ends inside an unfinished code point is released with the character it starts.
            long end = _decoder.HasPendingBytes ? _decodedChars + 1 : _decodedChars;
            _logprobs.Add((logprob, start, end));
        }

        StopMatchResult result = _matcher.Push(text);
        _emittedChars += result.Text.Length;
        return (result.Text, TakeLogprobs(result.Stopped), result.Stopped);
    }

    /// <summary>End of the sequence (not by a stop string): flushes decoder and matcher and releases all logprobs.</summary>
    public (string Text, IReadOnlyList<TokenLogprob>? Logprobs) Finish()
    {
        if (_matcher.Stopped)
        {
            return ("", null);
        }

        string tail = _decoder.Flush();
        _decodedChars += tail.Length;
        StopMatchResult result = _matcher.Push(tail);
        string text = result.Text + _matcher.Flush();
        _emittedChars += text.Length;
        return (text, TakeLogprobs(result.Stopped, all: !result.Stopped));
    }

    private List<TokenLogprob>? TakeLogprobs(bool stopped, bool all = false)
    {
        if (_logprobs is null || _logprobs.Count == 0)
        {
            return null;
        }

        var released = new List<TokenLogprob>();
        int taken = 0;
        foreach (var entry in _logprobs)
        {
            // After a stop match, tokens whose text was partly emitted are released; the stop string's are not.
            bool release = all || entry.End <= _emittedChars || (stopped && entry.Start < _emittedChars);
            if (!release)
            {
                break;
            }

            released.Add(entry.Logprob);
            taken++;
        }

        _logprobs.RemoveRange(0, taken);
        if (stopped)
        {
            _logprobs.Clear();
        }

        return released.Count == 0 ? null : released;
    }
}
