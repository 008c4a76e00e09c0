using System.Text;
using System.Text.RegularExpressions;

namespace InferenceServer.Templating.Lexing;

/// <summary>
/// Splits Jinja source into tokens the way jinja2's lexer does: text, <c>{{ }}</c>, <c>{% %}</c> and <c>{# #}</c>
/// with <c>-</c>/<c>+</c> whitespace control, <c>trim_blocks</c>, <c>lstrip_blocks</c>, <c>{% raw %}</c>, and the
/// expression tokens inside tags. Newlines are normalized to <c>\n</c>.
/// </summary>
public sealed partial class Lexer
{
    private static readonly string[] Operators =
        ["//", "**", "==", "!=", ">=", "<=", "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|", ";"];

    private readonly string _source;
    private readonly TemplateOptions _options;
    private readonly List<Token> _tokens = [];
    private readonly SourcePosition _positions;
    private int _pos;

    private Lexer(string source, TemplateOptions options)
    {
        _source = source;
        _options = options;
        _positions = new SourcePosition(source);
    }

    /// <summary>Normalizes newlines and drops one trailing newline unless <see cref="TemplateOptions.KeepTrailingNewline"/>.</summary>
    public static string Normalize(string source, TemplateOptions options)
    {
        var text = source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        if (!options.KeepTrailingNewline && text.EndsWith('\n'))
        {
            text = text[..^1];
        }

        return text;
    }

    /// <summary>Tokens of the normalized <paramref name="source"/> (see <see cref="Normalize"/>).</summary>
    public static List<Token> Tokenize(string source, TemplateOptions options)
    {
        var lexer = new Lexer(source, options);
        lexer.Run();
        return lexer._tokens;
    }

    private void Run()
    {
        var lineStarting = true;
        while (_pos < _source.Length)
        {
            var tagStart = FindTagStart(_pos);
            if (tagStart < 0)
            {
                Emit(TokenKind.Data, _source[_pos..], _pos);
                break;
            }

            var opener = _source[tagStart + 1];
            var sign = tagStart + 2 < _source.Length && _source[tagStart + 2] is '-' or '+' ? _source[tagStart + 2] : '\0';
            var text = _source[_pos..tagStart];
            text = ApplyLeftControl(text, sign, opener != '{', lineStarting);
            if (text.Length > 0) Emit(TokenKind.Data, text, _pos);

            var afterOpener = tagStart + 2 + (sign == '\0' ? 0 : 1);
            switch (opener)
            {
                case '#':
                    lineStarting = LexComment(tagStart, afterOpener);
                    break;
                case '%' when RawBegin().Match(_source, tagStart) is { Success: true } raw && raw.Index == tagStart:
                    lineStarting = LexRaw(raw);
                    break;
                default:
                    lineStarting = LexTag(tagStart, afterOpener, opener == '%');
                    break;
            }
        }

        _tokens.Add(new Token(TokenKind.End, "", _source.Length));
    }

    private int FindTagStart(int from)
    {
        var i = from;
        while (true)
        {
            i = _source.IndexOf('{', i);
            if (i < 0 || i + 1 >= _source.Length) return -1;
            if (_source[i + 1] is '{' or '%' or '#') return i;
            i++;
        }
    }

    private string ApplyLeftControl(string text, char sign, bool isBlockOrComment, bool lineStarting)
    {
        if (sign == '-') return text.TrimEnd();
        if (sign == '+' || !_options.LStripBlocks || !isBlockOrComment) return text;
        var lineStart = text.LastIndexOf('\n') + 1;
        if (lineStart == 0 && !lineStarting) return text;
        for (var i = lineStart; i < text.Length; i++)
        {
            if (text[i] is not (' ' or '\t')) return text;
        }

        return text[..lineStart];
    }

    private bool LexComment(int tagStart, int from)
    {
        var end = _source.IndexOf("#}", from, StringComparison.Ordinal);
        if (end < 0) throw _positions.Error("Missing end of comment tag", tagStart);
        var sign = end > from && _source[end - 1] is '-' or '+' ? _source[end - 1] : '\0';
        _pos = end + 2;
        return SkipAfterEnd(sign, trim: true);
    }

    private bool LexRaw(Match raw)
    {
        var start = raw.Index + raw.Length;
        var end = RawEnd().Match(_source, start);
        if (!end.Success) throw _positions.Error("Missing end of raw directive", raw.Index);
        var text = ApplyLeftControl(_source[start..end.Index], end.Groups[1].Value is [var c] ? c : '\0', true, false);
        if (text.Length > 0) Emit(TokenKind.Data, text, start);
        _pos = end.Index + end.Length;
        return end.Value.EndsWith('\n');
    }

    /// <summary>Moves past the end marker's whitespace control; returns whether the consumed text ended a line.</summary>
    private bool SkipAfterEnd(char sign, bool trim)
    {
        var before = _pos;
        if (sign == '-')
        {
            while (_pos < _source.Length && char.IsWhiteSpace(_source[_pos])) _pos++;
        }
        else if (sign != '+' && trim && _options.TrimBlocks && _pos < _source.Length && _source[_pos] == '\n')
        {
            _pos++;
        }

        return _pos > before ? _source[_pos - 1] == '\n' : false;
    }

    private bool LexTag(int tagStart, int from, bool isBlock)
    {
        Emit(isBlock ? TokenKind.BlockBegin : TokenKind.VariableBegin, isBlock ? "{%" : "{{", tagStart);
        var close = isBlock ? '%' : '}';
        _pos = from;
        var depth = 0;
        while (true)
        {
            while (_pos < _source.Length && char.IsWhiteSpace(_source[_pos])) _pos++;
            if (_pos >= _source.Length) throw _positions.Error(isBlock ? "Unexpected end of template: missing '%}'" : "Unexpected end of template: missing '}}'", tagStart);
            // As in jinja2, an end marker inside open brackets is not the end of the tag ({{ {'a': {}} }}).
            if (depth == 0 && IsEndAt(_pos, close))
            {
                var sign = _source[_pos] is '-' or '+' ? _source[_pos] : '\0';
                var endOffset = _pos;
                _pos += sign == '\0' ? 2 : 3;
                Emit(isBlock ? TokenKind.BlockEnd : TokenKind.VariableEnd, isBlock ? "%}" : "}}", endOffset);
                return SkipAfterEnd(sign == '+' && !isBlock ? '\0' : sign, trim: isBlock);
            }

            var token = LexExpressionToken();
            if (token.Kind == TokenKind.Operator)
            {
                if (token.Text is "(" or "[" or "{") depth++;
                else if (token.Text is ")" or "]" or "}" && depth > 0) depth--;
            }
        }
    }

    private bool IsEndAt(int i, char close)
    {
        if (i + 1 < _source.Length && _source[i] == close && _source[i + 1] == '}') return true;
        if (i + 2 < _source.Length && _source[i] is '-' or '+' && _source[i + 1] == close && _source[i + 2] == '}')
        {
            return _source[i] == '-' || close == '%';
        }

        return false;
    }

    private Token LexExpressionToken()
    {
        var start = _pos;
        var c = _source[_pos];
        if (char.IsLetter(c) || c == '_')
        {
            while (_pos < _source.Length && (char.IsLetterOrDigit(_source[_pos]) || _source[_pos] == '_')) _pos++;
            Emit(TokenKind.Name, _source[start.._pos], start);
        }
        else if (char.IsAsciiDigit(c))
        {
            LexNumber(start);
        }
        else if (c is '\'' or '"')
        {
            Emit(TokenKind.String, LexString(start), start);
        }
        else
        {
            LexOperator(start, c);
        }

        return _tokens[^1];
    }

    private void LexOperator(int start, char c)
    {
        foreach (var op in Operators)
        {
            if (string.CompareOrdinal(_source, _pos, op, 0, op.Length) == 0)
            {
                _pos += op.Length;
                Emit(TokenKind.Operator, op, start);
                return;
            }
        }

        throw _positions.Error($"unexpected char '{c}'", start);
    }

    private void LexNumber(int start)
    {
        var match = NumberPattern().Match(_source, start);
        _pos = start + match.Length;
        var text = match.Value.Replace("_", "", StringComparison.Ordinal);
        Emit(match.Groups["float"].Success ? TokenKind.Float : TokenKind.Integer, text, start);
    }

    private string LexString(int start)
    {
        var quote = _source[start];
        var builder = new StringBuilder();
        _pos = start + 1;
        while (true)
        {
            if (_pos >= _source.Length) throw _positions.Error("unexpected end of string", start);
            var c = _source[_pos++];
            if (c == quote) return builder.ToString();
            if (c != '\\' || _pos >= _source.Length)
            {
                builder.Append(c);
                continue;
            }

            var e = _source[_pos++];
            switch (e)
            {
                case 'n': builder.Append('\n'); break;
                case 't': builder.Append('\t'); break;
                case 'r': builder.Append('\r'); break;
                case '0': builder.Append('\0'); break;
                case 'a': builder.Append('\a'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'v': builder.Append('\v'); break;
                case '\\': builder.Append('\\'); break;
                case '\'': builder.Append('\''); break;
                case '"': builder.Append('"'); break;
                case '\n': break;
                case 'x': builder.Append(Hex(2, start)); break;
                case 'u': builder.Append(Hex(4, start)); break;
                case 'U': builder.Append(Hex(8, start)); break;
                default: builder.Append('\\').Append(e); break;
            }
        }
    }

    private string Hex(int digits, int start)
    {
        if (_pos + digits > _source.Length || !int.TryParse(_source.AsSpan(_pos, digits), System.Globalization.NumberStyles.HexNumber, null, out var code))
        {
            throw _positions.Error("truncated \\x, \\u or \\U escape in string", start);
        }

        _pos += digits;
        return char.ConvertFromUtf32(code);
    }

    private void Emit(TokenKind kind, string text, int offset) => _tokens.Add(new Token(kind, text, offset));

    [GeneratedRegex(@"\{%[-+]?\s*raw\s*(?:-%\}\s*|%\})")]
    private static partial Regex RawBegin();

    [GeneratedRegex(@"\{%([-+]?)\s*endraw\s*(?:\+%\}|-%\}\s*|%\}\n?)")]
    private static partial Regex RawEnd();

    [GeneratedRegex(@"(?<float>\d[\d_]*\.\d[\d_]*(?:[eE][+-]?\d+)?|\d[\d_]*[eE][+-]?\d+)|\d[\d_]*")]
    private static partial Regex NumberPattern();
}
