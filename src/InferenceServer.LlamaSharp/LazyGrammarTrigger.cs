using System.Text;

namespace InferenceServer.LlamaSharp;

/// <summary>
/// Watches unconstrained output for the first trigger string of a lazy grammar. Works on the raw bytes of each
/// token, remembering where every token starts, so that once a trigger appears the grammar can be started at the
/// token holding its first byte and fed the tokens from there (llama.cpp's own lazy grammar replays them without
/// checking and aborts the process when the text after the trigger breaks the grammar).
/// </summary>
internal sealed class LazyGrammarTrigger(IReadOnlyList<string> triggers)
{
    private readonly byte[][] _triggers = triggers.Select(Encoding.UTF8.GetBytes).ToArray();
    private readonly List<byte> _output = [];
    private readonly List<(int Token, int Start)> _tokens = [];

    /// <summary>Adds a generated token; returns the match when a trigger now appears in the output: the index into
    /// the observed tokens of the token holding the trigger's first byte, and that token's bytes before it.</summary>
    public (int FirstToken, byte[] Prefix)? Observe(int token, ReadOnlySpan<byte> piece)
    {
        var searchFrom = Math.Max(0, _output.Count - _triggers.Max(t => t.Length) + 1);
        _tokens.Add((token, _output.Count));
        _output.AddRange(piece);
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_output);
        var best = -1;
        foreach (var trigger in _triggers)
        {
            var at = span[searchFrom..].IndexOf(trigger);
            if (at >= 0 && (best < 0 || searchFrom + at < best))
            {
                best = searchFrom + at;
            }
        }

        if (best < 0)
        {
            return null;
        }

        var first = _tokens.FindLastIndex(t => t.Start <= best);
        return (first, span[_tokens[first].Start..best].ToArray());
    }

    /// <summary>The tokens observed from index <paramref name="first"/> on.</summary>
    public IEnumerable<int> TokensFrom(int first) => _tokens.Skip(first).Select(t => t.Token);
}
