using System.Globalization;
using System.Text;

namespace InferenceServer.ModelTools.Tokenization;

/// <summary>
/// Splits text into words the way llama.cpp does for a "gpt2" vocabulary with <c>tokenizer.ggml.pre = "default"</c>.
/// llama.cpp applies four regexes one after the other, each to every fragment left by the previous one (text between
/// matches stays as its own fragment):
/// 1. <c>[\p{P}\$\+&lt;=&gt;\^~\|]+</c> (punctuation runs become their own fragments),
/// 2. the GPT-2 regex <c>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)</c> (llama.cpp's
///    hand-written matcher, which also falls back to <c>\s+</c>),
/// 3. <c>\p{N}+</c>,
/// 4. <c>[0-9][0-9][0-9]</c> (digit runs are cut into groups of three from the left).
/// This is an independent implementation of that behaviour over Unicode code points.
/// </summary>
public static class PreTokenizer
{
    /// <summary>Returns the words of <paramref name="text"/> in order; their concatenation is the text.</summary>
    public static List<string> Split(string text)
    {
        var cps = ToCodePoints(text);
        var fragments = new List<int> { cps.Length };
        if (cps.Length == 0) return [];
        fragments = SplitRuns(cps, fragments, IsPunctuationRun);
        fragments = SplitGpt2(cps, fragments);
        fragments = SplitRuns(cps, fragments, IsNumber);
        fragments = SplitDigitTriples(cps, fragments);

        var words = new List<string>(fragments.Count);
        var sb = new StringBuilder();
        int pos = 0;
        foreach (var len in fragments)
        {
            sb.Clear();
            for (int i = pos; i < pos + len; i++) sb.Append(char.ConvertFromUtf32(cps[i]));
            words.Add(sb.ToString());
            pos += len;
        }
        return words;
    }

    internal static int[] ToCodePoints(string text)
    {
        var list = new List<int>(text.Length);
        foreach (var rune in text.EnumerateRunes()) list.Add(rune.Value);
        return [.. list];
    }

    private static UnicodeCategory Category(int cp) => CharUnicodeInfo.GetUnicodeCategory(cp);

    internal static bool IsLetter(int cp) => Category(cp) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
        or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter;

    internal static bool IsNumber(int cp) => Category(cp) is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber
        or UnicodeCategory.OtherNumber;

    internal static bool IsPunctuation(int cp) => Category(cp) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
        or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
        or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;

    /// <summary>llama.cpp's whitespace set (unicode.cpp), not the regex engine's.</summary>
    internal static bool IsWhitespace(int cp) => cp is (>= 0x09 and <= 0x0D) or 0x20 or 0x85 or 0xA0 or 0x1680
        or (>= 0x2000 and <= 0x200A) or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000;

    private static bool IsPunctuationRun(int cp) => IsPunctuation(cp) || cp is '$' or '+' or '<' or '=' or '>' or '^' or '~' or '|';

    /// <summary>Splits every fragment into maximal runs of matching and non-matching code points.</summary>
    private static List<int> SplitRuns(int[] cps, List<int> fragments, Func<int, bool> match)
    {
        var result = new List<int>(fragments.Count * 2);
        int start = 0;
        foreach (var len in fragments)
        {
            int end = start + len;
            int runStart = start;
            for (int i = start + 1; i <= end; i++)
            {
                if (i == end || match(cps[i]) != match(cps[runStart]))
                {
                    result.Add(i - runStart);
                    runStart = i;
                }
            }
            start = end;
        }
        return result;
    }

    private static List<int> SplitDigitTriples(int[] cps, List<int> fragments)
    {
        static bool Ascii(int c) => c is >= '0' and <= '9';
        var result = new List<int>(fragments.Count);
        int start = 0;
        foreach (var len in fragments)
        {
            int end = start + len;
            int prev = start;
            int i = start;
            while (i + 2 < end)
            {
                if (Ascii(cps[i]) && Ascii(cps[i + 1]) && Ascii(cps[i + 2]))
                {
                    if (i > prev) result.Add(i - prev);
                    result.Add(3);
                    i += 3;
                    prev = i;
                }
                else
                {
                    i++;
                }
            }
            if (end > prev) result.Add(end - prev);
            start = end;
        }
        return result;
    }

    private static List<int> SplitGpt2(int[] cps, List<int> fragments)
    {
        var result = new List<int>(fragments.Count * 2);
        int start = 0;
        foreach (var len in fragments)
        {
            int end = start + len;
            int Cp(int p) => p >= start && p < end ? cps[p] : -1;
            bool InRange(int p) => p >= start && p < end;
            bool Letter(int p) => InRange(p) && IsLetter(cps[p]);
            bool Number(int p) => InRange(p) && IsNumber(cps[p]);
            bool Space(int p) => InRange(p) && IsWhitespace(cps[p]);
            bool Other(int p) => InRange(p) && !IsWhitespace(cps[p]) && !IsLetter(cps[p]) && !IsNumber(cps[p]);

            int prevEnd = start;
            void Emit(int e)
            {
                if (e > prevEnd) result.Add(e - prevEnd);
                prevEnd = e;
            }

            int pos = start;
            while (pos < end)
            {
                int cp = cps[pos];
                if (cp == '\'' && pos + 1 < end)
                {
                    int n1 = Cp(pos + 1);
                    if (n1 is 's' or 't' or 'm' or 'd') { pos += 2; Emit(pos); continue; }
                    if (pos + 2 < end)
                    {
                        int n2 = Cp(pos + 2);
                        if ((n1 == 'r' && n2 == 'e') || (n1 == 'v' && n2 == 'e') || (n1 == 'l' && n2 == 'l')) { pos += 3; Emit(pos); continue; }
                    }
                }
                int probe = cp == ' ' ? pos + 1 : pos;
                if (Letter(probe))
                {
                    pos = probe;
                    while (Letter(pos)) pos++;
                    Emit(pos);
                    continue;
                }
                if (Number(probe))
                {
                    pos = probe;
                    while (Number(pos)) pos++;
                    Emit(pos);
                    continue;
                }
                if (Other(probe))
                {
                    pos = probe;
                    while (Other(pos)) pos++;
                    Emit(pos);
                    continue;
                }
                int spaces = 0;
                while (Space(pos + spaces)) spaces++;
                if (spaces > 1 && InRange(pos + spaces))
                {
                    pos += spaces - 1;
                    Emit(pos);
                    continue;
                }
                if (spaces > 0)
                {
                    pos += spaces;
                    Emit(pos);
                    continue;
                }
                pos++;
                Emit(pos);
            }
            start = end;
        }
        return result;
    }
}
