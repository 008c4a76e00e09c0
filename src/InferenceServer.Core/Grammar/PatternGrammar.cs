using System.Globalization;
using System.Text;

namespace InferenceServer.Core.Grammar;

/// <summary>
/// The regular-expression subset llama.cpp's converter supports, as GBNF for the content of a JSON string (the
/// text between the quotes, JSON-escaped): literals, <c>.</c>, classes with ranges and negation, <c>\d \w \s</c> and
/// their negations, groups (capturing or <c>(?:</c>), alternation, <c>* + ?</c> and <c>{n} {n,} {n,m}</c>. The
/// whole string must match (a leading <c>^</c> and trailing <c>$</c> are optional). Backreferences, lookarounds,
/// word boundaries and anchors elsewhere are refused with <see cref="FormatException"/>.
/// </summary>
public sealed class PatternGrammar
{
    /// <summary>Regexes count UTF-16 units (ECMA-262 without the u flag, and .NET): one character is one BMP code
    /// point, so '.' and negated classes never produce characters outside the BMP.</summary>
    private const string AnyChar = """[^"\\\x7F\x00-\x1F\U00010000-\U0010FFFF]""";
    private readonly string _pattern;
    private int _pos;

    private PatternGrammar(string pattern) => _pattern = pattern;

    public static string Build(string pattern)
    {
        var body = pattern;
        if (body.StartsWith('^'))
        {
            body = body[1..];
        }

        if (body.EndsWith('$') && !body.EndsWith("\\$", StringComparison.Ordinal))
        {
            body = body[..^1];
        }

        var parser = new PatternGrammar(body);
        var result = parser.Alternation();
        if (parser._pos < body.Length)
        {
            throw new FormatException($"unexpected '{body[parser._pos]}' at position {parser._pos}");
        }

        return result.Length == 0 ? "\"\"" : result;
    }

    private bool More => _pos < _pattern.Length;
    private char Peek => _pattern[_pos];

    private string Alternation()
    {
        var alternatives = new List<string> { Sequence() };
        while (More && Peek == '|')
        {
            _pos++;
            alternatives.Add(Sequence());
        }

        return alternatives.Count == 1 ? alternatives[0] : "(" + string.Join(" | ", alternatives.Select(a => a.Length == 0 ? "\"\"" : a)) + ")";
    }

    private string Sequence()
    {
        var items = new List<string>();
        while (More && Peek != '|' && Peek != ')')
        {
            var atom = Atom();
            items.Add(Quantified(atom));
        }

        return string.Join(" ", items);
    }

    private string Atom()
    {
        var c = _pattern[_pos++];
        switch (c)
        {
            case '(':
                if (More && Peek == '?')
                {
                    if (_pos + 1 < _pattern.Length && _pattern[_pos + 1] == ':')
                    {
                        _pos += 2;
                    }
                    else
                    {
                        throw new FormatException("lookarounds and named groups are not supported");
                    }
                }

                var inner = Alternation();
                if (!More || Peek != ')')
                {
                    throw new FormatException("unbalanced parenthesis");
                }

                _pos++;
                return "(" + (inner.Length == 0 ? "\"\"" : inner) + ")";
            case '[':
                return CharacterClass();
            case '.':
                return AnyChar;
            case '\\':
                return Escape(inClass: false).Expression;
            case '^' or '$':
                throw new FormatException($"the anchor '{c}' is only supported at the ends of the pattern");
            case '*' or '+' or '?' or '{':
                throw new FormatException($"nothing to repeat before '{c}'");
            default:
                return JsonChar(c);
        }
    }

    private string Quantified(string atom)
    {
        if (!More)
        {
            return atom;
        }

        string? suffix;
        if (Peek == '{')
        {
            suffix = Braces();
        }
        else
        {
            suffix = Peek switch { '*' => "*", '+' => "+", '?' => "?", _ => null };
            if (suffix is not null)
            {
                _pos++;
            }
        }

        if (suffix is null)
        {
            return atom;
        }

        if (More && Peek == '?')
        {
            _pos++; // lazy quantifier: same language
        }

        return "(" + atom + ")" + suffix;
    }

    private string? Braces()
    {
        var close = _pattern.IndexOf('}', _pos);
        if (close < 0)
        {
            return null;
        }

        var inside = _pattern[(_pos + 1)..close];
        var parts = inside.Split(',');
        if (parts.Length > 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var min)
            || (parts.Length == 2 && parts[1].Length > 0 && !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            throw new FormatException($"invalid repetition '{{{inside}}}'");
        }

        _pos = close + 1;
        return parts.Length == 1 ? $"{{{min}}}" : $"{{{min},{parts[1]}}}";
    }

    private string CharacterClass()
    {
        var negated = More && Peek == '^';
        if (negated)
        {
            _pos++;
        }

        var ranges = new List<(int From, int To)>();
        var extra = new List<string>();
        var first = true;
        while (More && (Peek != ']' || first))
        {
            first = false;
            int from;
            if (Peek == '\\')
            {
                _pos++;
                var (expression, single, set) = Escape(inClass: true);
                if (set is not null)
                {
                    if (negated)
                    {
                        throw new FormatException("shorthand classes inside a negated class are not supported");
                    }

                    extra.Add(expression);
                    continue;
                }

                from = single;
            }
            else
            {
                from = _pattern[_pos++];
            }

            var to = from;
            if (_pos + 1 < _pattern.Length && Peek == '-' && _pattern[_pos + 1] != ']')
            {
                _pos++;
                if (Peek == '\\')
                {
                    _pos++;
                    to = Escape(inClass: true).Single;
                }
                else
                {
                    to = _pattern[_pos++];
                }

                if (to < from)
                {
                    throw new FormatException("reversed range in a character class");
                }
            }

            ranges.Add((from, to));
        }

        if (!More)
        {
            throw new FormatException("unterminated character class");
        }

        _pos++;
        return negated ? NegatedClass(ranges) : PositiveClass(ranges, extra);
    }

    /// <summary>Characters of the class that can stand raw in a JSON string, plus escaped forms of quote,
    /// backslash and control characters.</summary>
    private static string PositiveClass(List<(int From, int To)> ranges, List<string> extra)
    {
        var raw = new StringBuilder();
        var alternatives = new List<string>(extra);
        foreach (var (from, to) in ranges)
        {
            for (var c = from; c <= Math.Min(to, 0x7F); c++)
            {
                if (c < 0x20 || c is '"' or '\\' or 0x7F)
                {
                    alternatives.Add(JsonChar((char)c));
                }
            }

            // The raw part: [from, to] minus control characters, quote, backslash and DEL.
            foreach (var (a, b) in Subtract(from, to))
            {
                raw.Append(Gbnf.ClassChar(a));
                if (b > a)
                {
                    raw.Append('-').Append(Gbnf.ClassChar(b));
                }
            }
        }

        if (raw.Length > 0)
        {
            alternatives.Insert(0, "[" + raw + "]");
        }

        if (alternatives.Count == 0)
        {
            throw new FormatException("empty character class");
        }

        return alternatives.Count == 1 ? alternatives[0] : "(" + string.Join(" | ", alternatives) + ")";
    }

    private static string NegatedClass(List<(int From, int To)> ranges)
    {
        var sb = new StringBuilder("[^\"\\\\\\x7F\\x00-\\x1F\\U00010000-\\U0010FFFF");
        foreach (var (from, to) in ranges)
        {
            sb.Append(Gbnf.ClassChar(from));
            if (to > from)
            {
                sb.Append('-').Append(Gbnf.ClassChar(to));
            }
        }

        return sb.Append(']').ToString();
    }

    private static IEnumerable<(int, int)> Subtract(int from, int to)
    {
        var excluded = new List<int> { '"', '\\', 0x7F };
        var start = Math.Max(from, 0x20);
        foreach (var cut in excluded.Order())
        {
            if (cut < start || cut > to)
            {
                continue;
            }

            if (cut > start)
            {
                yield return (start, cut - 1);
            }

            start = cut + 1;
        }

        if (start <= to)
        {
            yield return (start, to);
        }
    }

    /// <summary>After a backslash: the GBNF for the escape, its code point when it is one character, or the
    /// shorthand class it names.</summary>
    private (string Expression, int Single, string? Set) Escape(bool inClass)
    {
        if (!More)
        {
            throw new FormatException("trailing backslash");
        }

        var c = _pattern[_pos++];
        switch (c)
        {
            case 'd': return ("[0-9]", 0, "d");
            case 'w': return ("[a-zA-Z0-9_]", 0, "w");
            case 's': return ("\" \"", 0, "s");
            case 'D': return ("[^\"\\\\\\x7F\\x00-\\x1F\\U00010000-\\U0010FFFF0-9]", 0, "D");
            case 'W': return ("[^\"\\\\\\x7F\\x00-\\x1F\\U00010000-\\U0010FFFFa-zA-Z0-9_]", 0, "W");
            case 'S': return ("[^\"\\\\\\x7F\\x00-\\x20\\U00010000-\\U0010FFFF]", 0, "S");
            case 'n': return (JsonChar('\n'), '\n', null);
            case 't': return (JsonChar('\t'), '\t', null);
            case 'r': return (JsonChar('\r'), '\r', null);
            case 'b' when inClass: return (JsonChar('\b'), '\b', null);
            case 'u' when _pos + 4 <= _pattern.Length:
                var code = int.Parse(_pattern.AsSpan(_pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                _pos += 4;
                return (JsonChar((char)code), code, null);
            case >= '0' and <= '9':
                throw new FormatException("backreferences are not supported");
            case 'b' or 'B' or 'A' or 'z' or 'Z' or 'G':
                throw new FormatException($"the assertion '\\{c}' is not supported");
            default:
                if (char.IsAsciiLetter(c))
                {
                    throw new FormatException($"the escape '\\{c}' is not supported");
                }

                return (JsonChar(c), c, null);
        }
    }

    /// <summary>One character as it appears inside a JSON string literal.</summary>
    private static string JsonChar(char c) => c switch
    {
        '"' => Gbnf.Literal("\\\""),
        '\\' => Gbnf.Literal("\\\\"),
        '\n' => Gbnf.Literal("\\n"),
        '\t' => Gbnf.Literal("\\t"),
        '\r' => Gbnf.Literal("\\r"),
        '\b' => Gbnf.Literal("\\b"),
        '\f' => Gbnf.Literal("\\f"),
        < ' ' or (char)0x7F => Gbnf.Literal(string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}")),
        _ => Gbnf.Literal(c.ToString()),
    };
}
