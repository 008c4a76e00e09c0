using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace InferenceServer.Templating.Runtime;

/// <summary>jinja2's filters that chat templates use, with jinja2's argument names and defaults; transformers'
/// <c>tojson</c>. Collection filters are in Builtins.Collections.cs.</summary>
internal sealed partial class Builtins
{
    private Func<Value, CallArguments, Value>? FilterFunction(string name) => name switch
    {
        "tojson" => ToJson,
        "trim" => (v, a) => new StringValue(Methods.Strip(Str(v), a.Find(0, "chars"), true, true)),
        "length" or "count" => (v, _) => new IntValue(Length(v)),
        "string" => (v, _) => v is StringValue ? v : new StringValue(Str(v)),
        "safe" => (v, _) => v is StringValue ? v : new StringValue(Str(v)),
        "e" or "escape" => (v, _) => new StringValue(Escape(Str(v))),
        "upper" => (v, _) => new StringValue(Str(v).ToUpperInvariant()),
        "lower" => (v, _) => new StringValue(Str(v).ToLowerInvariant()),
        "capitalize" => (v, _) => new StringValue(Methods.Capitalize(Str(v))),
        "title" => (v, _) => new StringValue(Title(Str(v))),
        "replace" => Replace,
        "d" or "default" => (v, a) => v is UndefinedValue || (a.Get(1, "boolean", BoolValue.False).IsTruthy && !v.IsTruthy) ? a.Get(0, "default_value", StringValue.Empty) : v,
        "int" => ToInt,
        "float" => (v, a) => ToFloat(v) is { } f ? new FloatValue(f) : a.Get(0, "default", new FloatValue(0)),
        "abs" => (v, _) => v switch
        {
            FloatValue f => new FloatValue(Math.Abs(f.Value)),
            IntValue or BoolValue => new IntValue(Math.Abs(Operators.ToLong(v))),
            _ => throw new TemplateRuntimeException($"bad operand type for abs(): '{Operators.TypeName(v)}'"),
        },
        "round" => Round,
        "indent" => Indent,
        "center" => (v, a) => new StringValue(Center(Str(v), (int)Operators.ToLong(a.Get(0, "width", new IntValue(80))))),
        "wordcount" => (v, _) => new IntValue(Words().Matches(Str(v)).Count),
        "format" => (v, a) => a.Named.Count > 0 ? throw new TemplateRuntimeException("format filter with keyword arguments is not supported") : Operators.Modulo(new StringValue(Str(v)), new ListValue(a.Positional, isTuple: true)),
        "attr" => (v, a) => Access.Attribute(v, Str(a.Get(0, "name", StringValue.Empty))),
        "first" => First,
        "last" => Last,
        "join" => Join,
        "list" => (v, _) => new ListValue([.. Interpreter.Iterate(v)]),
        "reverse" => (v, _) => v is StringValue s ? new StringValue(string.Concat(Access.Runes(s.Value).Reverse())) : new ListValue(Interpreter.Iterate(v).AsEnumerable().Reverse().ToList()),
        "items" => (v, _) => v switch
        {
            UndefinedValue => new ListValue(),
            DictValue d => new ListValue(d.Items.Select(p => (Value)new ListValue([p.Key, p.Value], isTuple: true)).ToList()),
            _ => throw new TemplateRuntimeException("Can only get item pairs from a mapping."),
        },
        "dictsort" => DictSort,
        "map" => Map,
        "select" => (v, a) => SelectOrReject(v, a, keep: true, byAttribute: false),
        "reject" => (v, a) => SelectOrReject(v, a, keep: false, byAttribute: false),
        "selectattr" => (v, a) => SelectOrReject(v, a, keep: true, byAttribute: true),
        "rejectattr" => (v, a) => SelectOrReject(v, a, keep: false, byAttribute: true),
        "unique" => Unique,
        "sort" => Sort,
        "min" => (v, a) => MinMax(v, a, wantMax: false),
        "max" => (v, a) => MinMax(v, a, wantMax: true),
        "sum" => Sum,
        "batch" => Batch,
        _ => null,
    };

    private static string Str(Value value) => PythonFormat.Str(value);

    private static long Length(Value value) => value switch
    {
        StringValue s => s.Value.EnumerateRunes().Count(),
        ListValue l => l.Items.Count,
        DictValue d => d.Items.Count,
        UndefinedValue => 0,
        _ => throw new TemplateRuntimeException($"object of type '{Operators.TypeName(value)}' has no len()"),
    };

    private static Value ToJson(Value value, CallArguments arguments)
    {
        var indentArg = arguments.Get(0, "indent", NoneValue.Instance);
        string? indent = indentArg switch
        {
            NoneValue => null,
            StringValue s => s.Value,
            _ => new string(' ', (int)Math.Max(0, Operators.ToLong(indentArg))),
        };
        var (itemSeparator, keySeparator) = indent is null ? (", ", ": ") : (",", ": ");
        if (arguments.Find(-1, "separators") is ListValue { Items.Count: 2 } separators)
        {
            itemSeparator = Str(separators.Items[0]);
            keySeparator = Str(separators.Items[1]);
        }

        var sortKeys = arguments.Get(-1, "sort_keys", BoolValue.False).IsTruthy;
        var ensureAscii = arguments.Get(-1, "ensure_ascii", BoolValue.False).IsTruthy;
        return new StringValue(JsonWriter.Serialize(value, indent, itemSeparator, keySeparator, sortKeys, ensureAscii));
    }

    private static Value Replace(Value value, CallArguments arguments)
    {
        var text = Str(value);
        var old = Str(arguments.Get(0, "old", StringValue.Empty));
        var replacement = Str(arguments.Get(1, "new", StringValue.Empty));
        var count = arguments.Find(2, "count");
        var method = Methods.Bind(new StringValue(text), "replace")!;
        return method.Invoke(new CallArguments([new StringValue(old), new StringValue(replacement), .. count is null ? Array.Empty<Value>() : [count]], []));
    }

    private static Value ToInt(Value value, CallArguments arguments)
    {
        var fallback = arguments.Get(0, "default", new IntValue(0));
        switch (value)
        {
            case IntValue:
                return value;
            case BoolValue or FloatValue:
                return double.IsFinite(Operators.ToDouble(value)) ? new IntValue((long)Math.Truncate(Operators.ToDouble(value))) : fallback;
            case StringValue s:
                var numberBase = (int)Operators.ToLong(arguments.Get(1, "base", new IntValue(10)));
                var text = s.Value.Trim().Replace("_", "", StringComparison.Ordinal);
                try
                {
                    if (numberBase == 10 && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)) return new IntValue(parsed);
                    if (numberBase is 2 or 8 or 16) return new IntValue(Convert.ToInt64(text, numberBase));
                }
                catch (FormatException)
                {
                }

                return ToFloat(value) is { } f && double.IsFinite(f) ? new IntValue((long)Math.Truncate(f)) : fallback;
            default:
                return fallback;
        }
    }

    private static double? ToFloat(Value value) => value switch
    {
        FloatValue f => f.Value,
        IntValue or BoolValue => Operators.ToDouble(value),
        StringValue s when double.TryParse(s.Value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        StringValue s when s.Value.Trim().ToLowerInvariant() is "inf" or "+inf" or "infinity" => double.PositiveInfinity,
        StringValue s when s.Value.Trim().ToLowerInvariant() is "-inf" or "-infinity" => double.NegativeInfinity,
        StringValue s when s.Value.Trim().ToLowerInvariant() is "nan" => double.NaN,
        _ => null,
    };

    private static Value Round(Value value, CallArguments arguments)
    {
        var precision = (int)Operators.ToLong(arguments.Get(0, "precision", new IntValue(0)));
        var method = Str(arguments.Get(1, "method", new StringValue("common")));
        if (method == "common" && value is IntValue or BoolValue) return new IntValue(Operators.ToLong(value));
        var number = Operators.ToDouble(value);
        var scale = Math.Pow(10, precision);
        return new FloatValue(method switch
        {
            "common" => Math.Round(number, Math.Clamp(precision, 0, 15), MidpointRounding.ToEven),
            "ceil" => Math.Ceiling(number * scale) / scale,
            "floor" => Math.Floor(number * scale) / scale,
            _ => throw new TemplateRuntimeException("method must be common, ceil or floor"),
        });
    }

    /// <summary>jinja2's indent: every line but the first (unless <c>first</c>), blank lines only with <c>blank</c>.</summary>
    private static Value Indent(Value value, CallArguments arguments)
    {
        var width = arguments.Get(0, "width", new IntValue(4));
        var indentation = width is StringValue w ? w.Value : new string(' ', (int)Operators.ToLong(width));
        var first = arguments.Get(1, "first", BoolValue.False).IsTruthy;
        var blank = arguments.Get(2, "blank", BoolValue.False).IsTruthy;
        var text = Str(value) + "\n";
        var lines = ((ListValue)Methods.Bind(new StringValue(text), "splitlines")!.Invoke(CallArguments.None)).Items.Select(Str).ToList();
        string result;
        if (blank)
        {
            result = string.Join("\n" + indentation, lines);
        }
        else
        {
            result = lines[0];
            if (lines.Count > 1)
            {
                result += "\n" + string.Join("\n", lines.Skip(1).Select(line => line.Length > 0 ? indentation + line : line));
            }
        }

        return new StringValue(first ? indentation + result : result);
    }

    private static string Center(string text, int width)
    {
        var length = text.EnumerateRunes().Count();
        if (width <= length) return text;
        var total = width - length;
        var left = total / 2 + (total & width & 1);
        return new string(' ', left) + text + new string(' ', total - left);
    }

    private static string Escape(string text) => new StringBuilder(text)
        .Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&#34;").Replace("'", "&#39;").ToString();

    /// <summary>jinja2's title filter: capitalize each word, words split at whitespace, '-', '(', '{', '[' and '&lt;'.</summary>
    private static string Title(string text) =>
        string.Concat(WordBeginnings().Split(text).Where(part => part.Length > 0).Select(part => char.ToUpperInvariant(part[0]) + part[1..].ToLowerInvariant()));

    [GeneratedRegex(@"([-\s({\[<]+)")]
    private static partial Regex WordBeginnings();

    [GeneratedRegex(@"\w+")]
    private static partial Regex Words();
}
