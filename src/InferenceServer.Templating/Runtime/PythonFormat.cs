using System.Globalization;
using System.Text;

namespace InferenceServer.Templating.Runtime;

/// <summary>Python's <c>str()</c> and <c>repr()</c> of template values, so printing matches jinja2 byte for byte.</summary>
public static class PythonFormat
{
    public static string Str(Value value) => value switch
    {
        StringValue s => s.Value,
        UndefinedValue => "",
        _ => Repr(value),
    };

    public static string Repr(Value value)
    {
        var builder = new StringBuilder();
        AppendRepr(builder, value);
        return builder.ToString();
    }

    private static void AppendRepr(StringBuilder builder, Value value)
    {
        switch (value)
        {
            case StringValue s:
                AppendStringRepr(builder, s.Value);
                break;
            case NoneValue:
                builder.Append("None");
                break;
            case UndefinedValue:
                break;
            case BoolValue b:
                builder.Append(b.Value ? "True" : "False");
                break;
            case IntValue i:
                builder.Append(i.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case FloatValue f:
                builder.Append(Float(f.Value));
                break;
            case ListValue list:
                builder.Append(list.IsTuple ? '(' : '[');
                for (var i = 0; i < list.Items.Count; i++)
                {
                    if (i > 0) builder.Append(", ");
                    AppendRepr(builder, list.Items[i]);
                }

                if (list.IsTuple && list.Items.Count == 1) builder.Append(',');
                builder.Append(list.IsTuple ? ')' : ']');
                break;
            case DictValue dict:
                if (dict.IsNamespace) builder.Append("<Namespace ");
                builder.Append('{');
                var first = true;
                foreach (var pair in dict.Items)
                {
                    if (!first) builder.Append(", ");
                    first = false;
                    AppendRepr(builder, pair.Key);
                    builder.Append(": ");
                    AppendRepr(builder, pair.Value);
                }

                builder.Append('}');
                if (dict.IsNamespace) builder.Append('>');
                break;
            case CallableValue c:
                builder.Append("<function ").Append(c.Name).Append('>');
                break;
        }
    }

    /// <summary>Python's string repr: single quotes unless the text has a single quote and no double quote.</summary>
    private static void AppendStringRepr(StringBuilder builder, string text)
    {
        var quote = text.Contains('\'') && !text.Contains('"') ? '"' : '\'';
        builder.Append(quote);
        foreach (var rune in text.EnumerateRunes())
        {
            var c = rune.Value;
            switch (c)
            {
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c == quote)
                    {
                        builder.Append('\\').Append(quote);
                    }
                    else if (c < 0x20 || c == 0x7f)
                    {
                        builder.Append("\\x").Append(c.ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else if (c is >= 0x80 and < 0xa0 || c is 0xad)
                    {
                        builder.Append("\\x").Append(c.ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else if (Rune.IsControl(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Surrogate or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse)
                    {
                        builder.Append(c <= 0xffff ? "\\u" + c.ToString("x4", CultureInfo.InvariantCulture) : "\\U" + c.ToString("x8", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(rune.ToString());
                    }

                    break;
            }
        }

        builder.Append(quote);
    }

    /// <summary>Python's <c>repr(float)</c>: the shortest round-trip digits, exponent form below 1e-4 and from 1e16.</summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsPositiveInfinity(value)) return "inf";
        if (double.IsNegativeInfinity(value)) return "-inf";
        if (value == 0) return double.IsNegative(value) ? "-0.0" : "0.0";

        var (negative, digits, pointPosition) = Decompose(value);
        var builder = new StringBuilder();
        if (negative) builder.Append('-');
        if (pointPosition is > -4 and <= 16)
        {
            if (pointPosition <= 0)
            {
                builder.Append("0.").Append('0', -pointPosition).Append(digits);
            }
            else if (pointPosition >= digits.Length)
            {
                builder.Append(digits).Append('0', pointPosition - digits.Length).Append(".0");
            }
            else
            {
                builder.Append(digits, 0, pointPosition).Append('.').Append(digits, pointPosition, digits.Length - pointPosition);
            }
        }
        else
        {
            builder.Append(digits[0]);
            if (digits.Length > 1) builder.Append('.').Append(digits, 1, digits.Length - 1);
            var exponent = pointPosition - 1;
            builder.Append('e').Append(exponent < 0 ? '-' : '+').Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    /// <summary>Shortest round-trip significant digits and the decimal point's position (value = 0.DIGITS x 10^pos).</summary>
    private static (bool Negative, string Digits, int PointPosition) Decompose(double value)
    {
        var shortest = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        // "R" gives the shortest round trip; split it into digits and exponent.
        var exponentIndex = shortest.IndexOfAny(['E', 'e']);
        var mantissa = exponentIndex >= 0 ? shortest[..exponentIndex] : shortest;
        var exponent = exponentIndex >= 0 ? int.Parse(shortest[(exponentIndex + 1)..], CultureInfo.InvariantCulture) : 0;
        var dot = mantissa.IndexOf('.');
        var integerPart = dot >= 0 ? mantissa[..dot] : mantissa;
        var fraction = dot >= 0 ? mantissa[(dot + 1)..] : "";
        var all = (integerPart + fraction).TrimStart('0');
        var leadingZeros = (integerPart + fraction).Length - all.Length;
        var pointPosition = integerPart.Length - leadingZeros + exponent;
        all = all.TrimEnd('0');
        return (value < 0, all.Length == 0 ? "0" : all, pointPosition);
    }
}
