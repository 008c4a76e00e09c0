using System.Globalization;
using System.Text;

namespace InferenceServer.Core.Grammar;

/// <summary>Text helpers for writing GBNF (llama.cpp's grammar format): quoted literals and character-class
/// members, escaped so that any text round-trips.</summary>
public static class Gbnf
{
    /// <summary>A double-quoted GBNF literal matching exactly <paramref name="text"/>.</summary>
    public static string Literal(string text)
    {
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (var rune in text.EnumerateRunes())
        {
            sb.Append(Escape(rune, inClass: false));
        }

        return sb.Append('"').ToString();
    }

    /// <summary>One character escaped for use inside a literal or (<paramref name="inClass"/>) a [...] class.</summary>
    public static string Escape(Rune rune, bool inClass)
    {
        var value = rune.Value;
        return value switch
        {
            '\\' => @"\\",
            '"' when !inClass => "\\\"",
            ']' or '[' when inClass => "\\" + (char)value,
            '-' or '^' when inClass => $"\\x{value:X2}",
            '\n' => @"\n",
            '\r' => @"\r",
            '\t' => @"\t",
            < 0x20 or 0x7F => $"\\x{value:X2}",
            _ => rune.ToString(),
        };
    }

    /// <summary>A code point escaped for a character class.</summary>
    public static string ClassChar(int codePoint) =>
        codePoint < 0x20 || codePoint == 0x7F
            ? string.Create(CultureInfo.InvariantCulture, $"\\x{codePoint:X2}")
            : Escape(new Rune(codePoint), inClass: true);
}
