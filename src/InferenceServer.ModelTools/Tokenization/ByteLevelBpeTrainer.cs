using System.Text;

namespace InferenceServer.ModelTools.Tokenization;

/// <summary>Options of <see cref="ByteLevelBpeTrainer"/>.</summary>
public sealed record ByteLevelBpeTrainerOptions
{
    /// <summary>A pair must occur at least this often (weighted by word counts) to be merged.</summary>
    public int MinPairFrequency { get; init; } = 2;

    /// <summary>When merges run out before the requested size, fill up with <c>&lt;|reserved_N|&gt;</c> control tokens.</summary>
    public bool PadToVocabSize { get; init; } = true;
}

/// <summary>
/// Trains a byte-level BPE vocabulary ("gpt2" tokenizer model). Deterministic: the same corpus and arguments give
/// the same vocabulary. Layout: ids 0..255 are the single-byte tokens in byte order, then merged tokens in merge
/// order, then the special tokens (<see cref="SpecialTokens.Required"/> first, then any extra ones), then padding.
/// </summary>
public static class ByteLevelBpeTrainer
{
    public static BpeVocabulary Train(string corpus, int vocabSize, IReadOnlyList<string> specialTokens) =>
        Train(corpus, vocabSize, specialTokens, new ByteLevelBpeTrainerOptions());

    public static BpeVocabulary Train(string corpus, int vocabSize, IReadOnlyList<string> specialTokens, ByteLevelBpeTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        var specials = SpecialTokens.Required.Concat(specialTokens).Distinct(StringComparer.Ordinal).ToList();
        if (vocabSize < 256 + specials.Count)
            throw new ArgumentOutOfRangeException(nameof(vocabSize), $"vocabSize must be at least {256 + specials.Count}.");
        int mergeBudget = vocabSize - 256 - specials.Count;

        var tokens = new List<string>(vocabSize);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int b = 0; b < 256; b++)
        {
            var s = ByteUnicodeMap.ToChar((byte)b).ToString();
            ids[s] = tokens.Count;
            tokens.Add(s);
        }

        var words = CountWords(corpus, specials);
        var merges = new List<string>();
        var specialSet = new HashSet<string>(specials, StringComparer.Ordinal);
        var banned = new HashSet<long>();
        var pairCounts = new Dictionary<long, long>();
        foreach (var w in words) AddPairs(w.Symbols, w.Count, pairCounts, +1);

        int added = 0;
        while (added < mergeBudget)
        {
            long best = -1, bestCount = 0;
            string? bestLeft = null, bestRight = null;
            foreach (var (pair, count) in pairCounts)
            {
                if (count < options.MinPairFrequency || count < bestCount || banned.Contains(pair)) continue;
                var left = tokens[(int)(pair >> 32)];
                var right = tokens[(int)(pair & 0xFFFFFFFF)];
                if (count > bestCount || IsBefore(left, right, bestLeft!, bestRight!))
                {
                    best = pair; bestCount = count; bestLeft = left; bestRight = right;
                }
            }
            if (best < 0) break;
            var merged = bestLeft + bestRight;
            if (specialSet.Contains(merged)) { banned.Add(best); continue; }
            if (!ids.TryGetValue(merged, out var newId))
            {
                newId = tokens.Count;
                ids[merged] = newId;
                tokens.Add(merged);
                added++;
            }
            merges.Add($"{bestLeft} {bestRight}");
            ApplyMerge(words, best, newId, pairCounts);
        }

        var types = Enumerable.Repeat(TokenType.Normal, tokens.Count).ToList();
        foreach (var s in specials)
        {
            if (ids.ContainsKey(s)) throw new InvalidOperationException($"Special token '{s}' collides with a learned token.");
            tokens.Add(s);
            types.Add(TokenType.Control);
        }
        if (options.PadToVocabSize)
        {
            for (int i = 0; tokens.Count < vocabSize; i++)
            {
                var r = SpecialTokens.Reserved(i);
                if (specialSet.Contains(r)) continue;
                tokens.Add(r);
                types.Add(TokenType.Control);
            }
        }
        return new BpeVocabulary(tokens, types, merges);
    }

    private static bool IsBefore(string left, string right, string bestLeft, string bestRight)
    {
        int c = string.CompareOrdinal(left, bestLeft);
        return c < 0 || (c == 0 && string.CompareOrdinal(right, bestRight) < 0);
    }

    private sealed class Word(int[] symbols, long count)
    {
        public int[] Symbols { get; set; } = symbols;
        public long Count { get; } = count;
    }

    private static List<Word> CountWords(string corpus, List<string> specials)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var chunk in SplitOnSpecials(corpus, specials))
        {
            foreach (var word in PreTokenizer.Split(chunk))
            {
                counts[word] = counts.TryGetValue(word, out var c) ? c + 1 : 1;
            }
        }
        return counts.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new Word(Encoding.UTF8.GetBytes(kv.Key).Select(b => (int)b).ToArray(), kv.Value))
            .Where(w => w.Symbols.Length > 1)
            .ToList();
    }

    private static IEnumerable<string> SplitOnSpecials(string corpus, List<string> specials)
    {
        var parts = new List<string> { corpus };
        foreach (var s in specials.OrderByDescending(s => s.Length))
        {
            parts = parts.SelectMany(p => p.Split(s)).ToList();
        }
        return parts.Where(p => p.Length > 0);
    }

    private static long Key(int a, int b) => ((long)a << 32) | (uint)b;

    private static void AddPairs(int[] symbols, long count, Dictionary<long, long> pairCounts, int sign)
    {
        for (int i = 0; i + 1 < symbols.Length; i++)
        {
            var k = Key(symbols[i], symbols[i + 1]);
            var v = (pairCounts.TryGetValue(k, out var c) ? c : 0) + sign * count;
            if (v == 0) pairCounts.Remove(k); else pairCounts[k] = v;
        }
    }

    private static void ApplyMerge(List<Word> words, long pair, int newId, Dictionary<long, long> pairCounts)
    {
        int a = (int)(pair >> 32), b = (int)(pair & 0xFFFFFFFF);
        var buffer = new List<int>();
        foreach (var w in words)
        {
            var s = w.Symbols;
            bool found = false;
            for (int i = 0; i + 1 < s.Length; i++)
            {
                if (s[i] == a && s[i + 1] == b) { found = true; break; }
            }
            if (!found) continue;
            AddPairs(s, w.Count, pairCounts, -1);
            buffer.Clear();
            for (int i = 0; i < s.Length; i++)
            {
                if (i + 1 < s.Length && s[i] == a && s[i + 1] == b) { buffer.Add(newId); i++; }
                else buffer.Add(s[i]);
            }
            w.Symbols = [.. buffer];
            AddPairs(w.Symbols, w.Count, pairCounts, +1);
        }
    }
}
