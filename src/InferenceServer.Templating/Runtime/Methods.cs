using System.Text;

namespace InferenceServer.Templating.Runtime;

/// <summary>The Python methods templates call on strings, dicts and lists (<c>content.strip()</c>,
/// <c>message.get('x')</c>, <c>ns.items.append(x)</c>). Only these exist: there is no reflection.</summary>
internal static class Methods
{
    public static CallableValue? Bind(Value target, string name) => target switch
    {
        StringValue s => StringMethod(s.Value, name),
        DictValue d => DictMethod(d, name),
        ListValue l => ListMethod(l, name),
        _ => null,
    };

    private static CallableValue? StringMethod(string s, string name) => name switch
    {
        "strip" => Method(name, a => new StringValue(Strip(s, a.Find(0, "chars"), true, true))),
        "lstrip" => Method(name, a => new StringValue(Strip(s, a.Find(0, "chars"), true, false))),
        "rstrip" => Method(name, a => new StringValue(Strip(s, a.Find(0, "chars"), false, true))),
        "upper" => Method(name, _ => new StringValue(s.ToUpperInvariant())),
        "lower" => Method(name, _ => new StringValue(s.ToLowerInvariant())),
        "title" => Method(name, _ => new StringValue(PythonTitle(s))),
        "capitalize" => Method(name, _ => new StringValue(Capitalize(s))),
        "startswith" => Method(name, a => Value.From(Affixes(a.Get(0, "prefix", StringValue.Empty)).Any(p => s.StartsWith(p, StringComparison.Ordinal)))),
        "endswith" => Method(name, a => Value.From(Affixes(a.Get(0, "suffix", StringValue.Empty)).Any(p => s.EndsWith(p, StringComparison.Ordinal)))),
        "split" => Method(name, a => Split(s, a.Find(0, "sep"), a.Find(1, "maxsplit"), fromRight: false)),
        "rsplit" => Method(name, a => Split(s, a.Find(0, "sep"), a.Find(1, "maxsplit"), fromRight: true)),
        "splitlines" => Method(name, a => new ListValue(SplitLines(s, a.Get(0, "keepends", BoolValue.False).IsTruthy).Select(l => (Value)new StringValue(l)).ToList())),
        "replace" => Method(name, a => new StringValue(Replace(s, Text(a.Get(0, "old", StringValue.Empty)), Text(a.Get(1, "new", StringValue.Empty)), a.Find(2, "count")))),
        "find" => Method(name, a => new IntValue(s.IndexOf(Text(a.Get(0, "sub", StringValue.Empty)), StringComparison.Ordinal))),
        "rfind" => Method(name, a => new IntValue(s.LastIndexOf(Text(a.Get(0, "sub", StringValue.Empty)), StringComparison.Ordinal))),
        "count" => Method(name, a => new IntValue(Count(s, Text(a.Get(0, "sub", StringValue.Empty))))),
        "join" => Method(name, a => new StringValue(string.Join(s, Interpreter.Iterate(a.Get(0, "iterable", new ListValue())).Select(PythonFormat.Str)))),
        "format" => Method(name, a => new StringValue(StringFormat.Format(s, a))),
        "isdigit" => Method(name, _ => Value.From(s.Length > 0 && s.All(char.IsDigit))),
        "isalpha" => Method(name, _ => Value.From(s.Length > 0 && s.All(char.IsLetter))),
        "isalnum" => Method(name, _ => Value.From(s.Length > 0 && s.All(char.IsLetterOrDigit))),
        "isspace" => Method(name, _ => Value.From(s.Length > 0 && s.All(char.IsWhiteSpace))),
        "islower" => Method(name, _ => Value.From(s.Any(char.IsLetter) && !s.Any(char.IsUpper))),
        "isupper" => Method(name, _ => Value.From(s.Any(char.IsLetter) && !s.Any(char.IsLower))),
        _ => null,
    };

    private static CallableValue? DictMethod(DictValue d, string name) => name switch
    {
        "items" => Method(name, _ => new ListValue(d.Items.Select(p => (Value)new ListValue([p.Key, p.Value], isTuple: true)).ToList())),
        "keys" => Method(name, _ => new ListValue(d.Items.Keys.ToList())),
        "values" => Method(name, _ => new ListValue(d.Items.Values.ToList())),
        "get" => Method(name, a => d.Items.TryGetValue(a.Get(0, "key", NoneValue.Instance), out var v) ? v : a.Get(1, "default", NoneValue.Instance)),
        "copy" => Method(name, _ => new DictValue(new OrderedDictionary<Value, Value>(d.Items))),
        "update" => Method(name, a =>
        {
            if (a.Find(0, "other") is DictValue other) foreach (var (k, v) in other.Items) d.Items[k] = v;
            foreach (var (k, v) in a.Named) d.Set(k, v);
            return NoneValue.Instance;
        }),
        _ => null,
    };

    private static CallableValue? ListMethod(ListValue l, string name) => name switch
    {
        "append" when !l.IsTuple => Method(name, a =>
        {
            l.Items.Add(a.Get(0, "object", NoneValue.Instance));
            return NoneValue.Instance;
        }),
        "extend" when !l.IsTuple => Method(name, a =>
        {
            l.Items.AddRange(Interpreter.Iterate(a.Get(0, "iterable", new ListValue())).ToList());
            return NoneValue.Instance;
        }),
        "insert" when !l.IsTuple => Method(name, a =>
        {
            var index = (int)Math.Clamp(Normalize(Operators.ToLong(a.Get(0, "index", new IntValue(0))), l.Items.Count), 0, l.Items.Count);
            l.Items.Insert(index, a.Get(1, "object", NoneValue.Instance));
            return NoneValue.Instance;
        }),
        "pop" when !l.IsTuple => Method(name, a =>
        {
            if (l.Items.Count == 0) throw new TemplateRuntimeException("pop from empty list");
            var index = Normalize(Operators.ToLong(a.Get(0, "index", new IntValue(-1))), l.Items.Count);
            if (index < 0 || index >= l.Items.Count) throw new TemplateRuntimeException("pop index out of range");
            var item = l.Items[(int)index];
            l.Items.RemoveAt((int)index);
            return item;
        }),
        "index" => Method(name, a =>
        {
            var wanted = a.Get(0, "value", NoneValue.Instance);
            var index = l.Items.FindIndex(v => Operators.AreEqual(v, wanted));
            return index >= 0 ? new IntValue(index) : throw new TemplateRuntimeException($"{PythonFormat.Repr(wanted)} is not in list");
        }),
        "count" => Method(name, a => new IntValue(l.Items.Count(v => Operators.AreEqual(v, a.Get(0, "value", NoneValue.Instance))))),
        "copy" => Method(name, _ => new ListValue([.. l.Items], l.IsTuple)),
        _ => null,
    };

    private static long Normalize(long index, int count) => index < 0 ? index + count : index;

    private static CallableValue Method(string name, Func<CallArguments, Value> body) => new(name, body);

    private static string Text(Value value) => value is StringValue s ? s.Value : throw new TemplateRuntimeException($"expected str, got '{Operators.TypeName(value)}'");

    private static IEnumerable<string> Affixes(Value value) => value switch
    {
        ListValue list => list.Items.Select(Text),
        _ => [Text(value)],
    };

    /// <summary>Python's str.strip family: whitespace, or the given set of characters.</summary>
    public static string Strip(string s, Value? chars, bool left, bool right)
    {
        if (chars is null or NoneValue)
        {
            return left && right ? s.Trim() : left ? s.TrimStart() : s.TrimEnd();
        }

        var set = Text(chars).ToCharArray();
        return left && right ? s.Trim(set) : left ? s.TrimStart(set) : s.TrimEnd(set);
    }

    private static ListValue Split(string s, Value? separator, Value? maxSplit, bool fromRight)
    {
        var limit = maxSplit is null or NoneValue ? -1 : Operators.ToLong(maxSplit);
        List<string> parts;
        if (separator is null or NoneValue)
        {
            parts = [.. s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)];
            if (limit >= 0 && parts.Count > limit + 1)
            {
                // Re-split keeping the remainder (Python keeps the rest of the string, trimmed at the split side).
                parts = SplitWhitespaceLimited(s, (int)limit, fromRight);
            }
        }
        else
        {
            var sep = Text(separator);
            if (sep.Length == 0) throw new TemplateRuntimeException("empty separator");
            parts = [.. s.Split(sep)];
            if (limit >= 0 && parts.Count > limit + 1)
            {
                parts = fromRight
                    ? [string.Join(sep, parts.Take(parts.Count - (int)limit)), .. parts.Skip(parts.Count - (int)limit)]
                    : [.. parts.Take((int)limit), string.Join(sep, parts.Skip((int)limit))];
            }
        }

        return new ListValue(parts.Select(p => (Value)new StringValue(p)).ToList());
    }

    private static List<string> SplitWhitespaceLimited(string s, int limit, bool fromRight)
    {
        var result = new List<string>();
        if (!fromRight)
        {
            var rest = s.TrimStart();
            while (result.Count < limit && rest.Length > 0)
            {
                var end = 0;
                while (end < rest.Length && !char.IsWhiteSpace(rest[end])) end++;
                result.Add(rest[..end]);
                rest = rest[end..].TrimStart();
            }

            if (rest.Length > 0) result.Add(rest);
            return result;
        }

        var remaining = s.TrimEnd();
        while (result.Count < limit && remaining.Length > 0)
        {
            var start = remaining.Length;
            while (start > 0 && !char.IsWhiteSpace(remaining[start - 1])) start--;
            result.Insert(0, remaining[start..]);
            remaining = remaining[..start].TrimEnd();
        }

        if (remaining.Length > 0) result.Insert(0, remaining);
        return result;
    }

    private static List<string> SplitLines(string s, bool keepEnds)
    {
        var lines = new List<string>();
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c is not ('\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029')) continue;
            var end = i;
            if (c == '\r' && i + 1 < s.Length && s[i + 1] == '\n') i++;
            lines.Add(keepEnds ? s[start..(i + 1)] : s[start..end]);
            start = i + 1;
        }

        if (start < s.Length) lines.Add(s[start..]);
        return lines;
    }

    private static string Replace(string s, string old, string replacement, Value? count)
    {
        var limit = count is null or NoneValue ? -1 : Operators.ToLong(count);
        if (limit < 0) return old.Length == 0 ? InsertEverywhere(s, replacement, long.MaxValue) : s.Replace(old, replacement, StringComparison.Ordinal);
        if (old.Length == 0) return InsertEverywhere(s, replacement, limit);
        var builder = new StringBuilder();
        var position = 0;
        for (var n = 0; n < limit; n++)
        {
            var found = s.IndexOf(old, position, StringComparison.Ordinal);
            if (found < 0) break;
            builder.Append(s, position, found - position).Append(replacement);
            position = found + old.Length;
        }

        return builder.Append(s, position, s.Length - position).ToString();
    }

    private static string InsertEverywhere(string s, string insert, long limit)
    {
        var builder = new StringBuilder();
        long n = 0;
        foreach (var rune in s.EnumerateRunes())
        {
            if (n++ < limit) builder.Append(insert);
            builder.Append(rune.ToString());
        }

        if (n < limit) builder.Append(insert);
        return builder.ToString();
    }

    private static int Count(string s, string sub)
    {
        if (sub.Length == 0) return s.EnumerateRunes().Count() + 1;
        var count = 0;
        for (var i = s.IndexOf(sub, StringComparison.Ordinal); i >= 0; i = s.IndexOf(sub, i + sub.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    /// <summary>Python's str.title: upper-case the first letter of every run of letters, lower-case the rest.</summary>
    private static string PythonTitle(string s)
    {
        var builder = new StringBuilder(s.Length);
        var previousCased = false;
        foreach (var c in s)
        {
            builder.Append(previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            previousCased = char.IsLetter(c);
        }

        return builder.ToString();
    }

    public static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();
}
