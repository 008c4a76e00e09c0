using System.Globalization;
using System.Text;

namespace InferenceServer.Templating.Runtime;

/// <summary>
/// The <c>tojson</c> filter as transformers defines it for chat templates:
/// <c>json.dumps(x, ensure_ascii=False, indent=indent, separators=separators, sort_keys=sort_keys)</c>.
/// Python's defaults: separators <c>", "</c>/<c>": "</c> without indent, <c>","</c>/<c>": "</c> with it.
/// </summary>
internal sealed class JsonWriter(StringBuilder builder, string? indent, string itemSeparator, string keySeparator, bool sortKeys, bool ensureAscii)
{
    public static string Serialize(Value value, string? indent, string itemSeparator, string keySeparator, bool sortKeys, bool ensureAscii = false)
    {
        var builder = new StringBuilder();
        new JsonWriter(builder, indent, itemSeparator, keySeparator, sortKeys, ensureAscii).Write(value, 0);
        return builder.ToString();
    }

    private void Write(Value value, int level)
    {
        switch (value)
        {
            case StringValue s:
                WriteString(s.Value);
                break;
            case NoneValue:
                builder.Append("null");
                break;
            case BoolValue b:
                builder.Append(b.Value ? "true" : "false");
                break;
            case IntValue i:
                builder.Append(i.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case FloatValue f:
                builder.Append(double.IsNaN(f.Value) ? "NaN" : double.IsPositiveInfinity(f.Value) ? "Infinity" : double.IsNegativeInfinity(f.Value) ? "-Infinity" : PythonFormat.Float(f.Value));
                break;
            case ListValue list:
                if (list.Items.Count == 0)
                {
                    builder.Append("[]");
                    break;
                }

                builder.Append('[');
                for (var i = 0; i < list.Items.Count; i++)
                {
                    if (i > 0) builder.Append(itemSeparator);
                    NewLine(level + 1);
                    Write(list.Items[i], level + 1);
                }

                NewLine(level);
                builder.Append(']');
                break;
            case DictValue dict:
                if (dict.Items.Count == 0)
                {
                    builder.Append("{}");
                    break;
                }

                builder.Append('{');
                IEnumerable<KeyValuePair<Value, Value>> pairs = dict.Items;
                if (sortKeys) pairs = pairs.OrderBy(p => KeyText(p.Key), StringComparer.Ordinal);
                var first = true;
                foreach (var (key, item) in pairs)
                {
                    if (!first) builder.Append(itemSeparator);
                    first = false;
                    NewLine(level + 1);
                    WriteString(KeyText(key));
                    builder.Append(keySeparator);
                    Write(item, level + 1);
                }

                NewLine(level);
                builder.Append('}');
                break;
            case UndefinedValue:
                throw new TemplateRuntimeException("Object of type Undefined is not JSON serializable");
            default:
                throw new TemplateRuntimeException($"Object of type {Operators.TypeName(value)} is not JSON serializable");
        }
    }

    private static string KeyText(Value key) => key switch
    {
        StringValue s => s.Value,
        BoolValue b => b.Value ? "true" : "false",
        NoneValue => "null",
        IntValue or FloatValue => PythonFormat.Str(key),
        _ => throw new TemplateRuntimeException($"keys must be str, int, float, bool or None, not {Operators.TypeName(key)}"),
    };

    private void NewLine(int level)
    {
        if (indent is null) return;
        builder.Append('\n');
        for (var i = 0; i < level; i++) builder.Append(indent);
    }

    /// <summary>JSON string: quote, backslash and control characters escaped; non-ASCII as \uXXXX only with ensure_ascii.</summary>
    private void WriteString(string text)
    {
        builder.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                default:
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else builder.Append(c);
                    break;
            }
        }

        builder.Append('"');
    }
}
