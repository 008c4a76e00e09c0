using System.Text;
using InferenceServer.ModelTools.Gguf;

namespace InferenceServer.ModelTools.Tokenization;

/// <summary>
/// A byte-level BPE vocabulary in llama.cpp's "gpt2" form: token strings use <see cref="ByteUnicodeMap"/>, all 256
/// single-byte tokens exist, merges are "left right" strings in rank order. Encoding and decoding reproduce what
/// llama.cpp b10221 does for such a vocabulary with <c>tokenizer.ggml.pre = "default"</c>. Immutable, thread-safe.
/// </summary>
public sealed class BpeVocabulary
{
    private readonly string[] _tokens;
    private readonly TokenType[] _types;
    private readonly string[] _merges;
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<(string, string), int> _ranks;
    private readonly int[] _specialIdsLongestFirst;

    public BpeVocabulary(IReadOnlyList<string> tokens, IReadOnlyList<TokenType> types, IReadOnlyList<string> merges)
    {
        if (tokens.Count != types.Count) throw new ArgumentException("tokens and types differ in length.");
        _tokens = [.. tokens];
        _types = [.. types];
        _merges = [.. merges];
        _ids = new Dictionary<string, int>(_tokens.Length, StringComparer.Ordinal);
        for (int i = 0; i < _tokens.Length; i++)
        {
            if (!_ids.TryAdd(_tokens[i], i)) throw new ArgumentException($"Duplicate token string '{_tokens[i]}' (ids {_ids[_tokens[i]]} and {i}).");
        }
        for (int b = 0; b < 256; b++)
        {
            if (!_ids.ContainsKey(ByteUnicodeMap.ToChar((byte)b).ToString())) throw new ArgumentException($"Byte token for 0x{b:X2} is missing.");
        }
        _ranks = new Dictionary<(string, string), int>(_merges.Length);
        for (int r = 0; r < _merges.Length; r++)
        {
            var parts = _merges[r].Split(' ');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0) throw new ArgumentException($"Bad merge '{_merges[r]}'.");
            _ranks.TryAdd((parts[0], parts[1]), r);
        }
        _specialIdsLongestFirst = Enumerable.Range(0, _tokens.Length)
            .Where(i => _types[i] is TokenType.Control or TokenType.UserDefined)
            .OrderByDescending(i => Encoding.UTF8.GetByteCount(_tokens[i])).ThenBy(i => i)
            .ToArray();
        EndOfTextId = TokenToId(SpecialTokens.EndOfText) ?? throw new ArgumentException($"{SpecialTokens.EndOfText} is missing.");
        ImStartId = TokenToId(SpecialTokens.ImStart) ?? throw new ArgumentException($"{SpecialTokens.ImStart} is missing.");
        ImEndId = TokenToId(SpecialTokens.ImEnd) ?? throw new ArgumentException($"{SpecialTokens.ImEnd} is missing.");
    }

    public int Count => _tokens.Length;
    public IReadOnlyList<string> Tokens => _tokens;
    public IReadOnlyList<TokenType> TokenTypes => _types;
    public IReadOnlyList<string> Merges => _merges;
    public int EndOfTextId { get; }
    public int ImStartId { get; }
    public int ImEndId { get; }

    public int? TokenToId(string tokenText) => _ids.TryGetValue(tokenText, out var id) ? id : null;

    /// <summary>The id of the single-byte token for <paramref name="b"/>.</summary>
    public int ByteTokenId(byte b) => _ids[ByteUnicodeMap.ToChar(b).ToString()];

    public bool IsSpecial(int id) => _types[id] is TokenType.Control or TokenType.UserDefined;

    /// <summary>
    /// Tokenizes like llama.cpp's <c>llama_tokenize(text, add_special: false, parse_special)</c>: with
    /// <paramref name="parseSpecial"/> control tokens written in the text become their ids; otherwise they are plain text.
    /// </summary>
    public int[] Encode(string text, bool parseSpecial)
    {
        var output = new List<int>();
        foreach (var (raw, specialId) in Partition(text, parseSpecial))
        {
            if (specialId >= 0) { output.Add(specialId); continue; }
            foreach (var word in PreTokenizer.Split(raw)) EncodeWord(word, output);
        }
        return [.. output];
    }

    /// <summary>The bytes a token stands for (a control token's text when <paramref name="renderSpecial"/>, else none).</summary>
    public byte[] TokenBytes(int id, bool renderSpecial = true)
    {
        if (IsSpecial(id)) return renderSpecial ? Encoding.UTF8.GetBytes(_tokens[id]) : [];
        var list = new List<byte>(_tokens[id].Length);
        ByteUnicodeMap.Decode(_tokens[id], list);
        return [.. list];
    }

    /// <summary>Concatenates token bytes and decodes them as UTF-8 (invalid sequences become U+FFFD).</summary>
    public string Decode(IEnumerable<int> ids, bool renderSpecial = true)
    {
        var bytes = new List<byte>();
        foreach (var id in ids) bytes.AddRange(TokenBytes(id, renderSpecial));
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>Reads the vocabulary of a "gpt2" GGUF model.</summary>
    public static BpeVocabulary FromGguf(GgufReader reader)
    {
        var model = reader.Get<string>("tokenizer.ggml.model");
        if (model != "gpt2") throw new NotSupportedException($"Tokenizer model '{model}' is not 'gpt2'.");
        var tokens = reader.Get<string[]>("tokenizer.ggml.tokens");
        var types = reader.Metadata.TryGetValue("tokenizer.ggml.token_type", out var t)
            ? ((int[])t.Value).Select(x => (TokenType)x).ToArray()
            : Enumerable.Repeat(TokenType.Normal, tokens.Length).ToArray();
        var merges = reader.Get<string[]>("tokenizer.ggml.merges");
        return new BpeVocabulary(tokens, types, merges);
    }

    private IEnumerable<(string Raw, int SpecialId)> Partition(string text, bool parseSpecial)
    {
        var fragments = new List<(string Raw, int SpecialId)> { (text, -1) };
        foreach (var id in _specialIdsLongestFirst)
        {
            if (!parseSpecial && _types[id] == TokenType.Control) continue;
            var special = _tokens[id];
            var next = new List<(string, int)>(fragments.Count);
            foreach (var fragment in fragments)
            {
                if (fragment.SpecialId >= 0) { next.Add(fragment); continue; }
                var raw = fragment.Raw;
                int from = 0;
                while (true)
                {
                    int at = raw.IndexOf(special, from, StringComparison.Ordinal);
                    if (at < 0) break;
                    if (at > from) next.Add((raw[from..at], -1));
                    next.Add((special, id));
                    from = at + special.Length;
                }
                if (from < raw.Length) next.Add((raw[from..], -1));
            }
            fragments = next;
        }
        return fragments.Where(f => f.SpecialId >= 0 || f.Raw.Length > 0);
    }

    private void EncodeWord(string word, List<int> output)
    {
        var symbols = new List<string>();
        foreach (var b in Encoding.UTF8.GetBytes(word)) symbols.Add(ByteUnicodeMap.ToChar(b).ToString());
        while (symbols.Count > 1)
        {
            int bestRank = int.MaxValue, bestAt = -1;
            for (int i = 0; i + 1 < symbols.Count; i++)
            {
                if (_ranks.TryGetValue((symbols[i], symbols[i + 1]), out var rank) && rank < bestRank)
                {
                    bestRank = rank;
                    bestAt = i;
                }
            }
            if (bestAt < 0) break;
            symbols[bestAt] += symbols[bestAt + 1];
            symbols.RemoveAt(bestAt + 1);
        }
        foreach (var s in symbols)
        {
            if (_ids.TryGetValue(s, out var id)) { output.Add(id); continue; }
            foreach (var c in s) output.Add(_ids[c.ToString()]);
        }
    }
}
