namespace InferenceServer.Templating.Runtime;

/// <summary>
/// <c>x.name</c>, <c>x[key]</c> and <c>x[a:b:c]</c> with jinja2's sandboxed semantics: attribute access tries the
/// Python attribute (a method) first, then the item; subscription the item first, then the attribute; a miss is
/// undefined, never an error, except on an undefined value. Names starting with an underscore are never resolved.
/// </summary>
internal static class Access
{
    public static Value Attribute(Value target, string name)
    {
        if (target is UndefinedValue undefined) throw undefined.Fail();
        if (name.StartsWith('_')) return Missing(target, name);
        if (target is DictValue { IsNamespace: true } ns)
        {
            return ns.Items.TryGetValue(new StringValue(name), out var value) ? value : Missing(target, name);
        }

        if (Methods.Bind(target, name) is { } method) return method;
        if (target is DictValue dict && dict.Items.TryGetValue(new StringValue(name), out var item)) return item;
        return Missing(target, name);
    }

    public static Value Item(Value target, Value key)
    {
        switch (target)
        {
            case UndefinedValue undefined:
                throw undefined.Fail();
            case DictValue dict:
                if (dict.Items.TryGetValue(key, out var value)) return value;
                break;
            case ListValue list when key is IntValue or BoolValue:
                var index = Operators.ToLong(key);
                if (index < 0) index += list.Items.Count;
                if (index >= 0 && index < list.Items.Count) return list.Items[(int)index];
                return new UndefinedValue($"{Operators.TypeName(target)} object has no element {PythonFormat.Str(key)}");
            case StringValue s when key is IntValue or BoolValue:
                var runes = Runes(s.Value);
                var position = Operators.ToLong(key);
                if (position < 0) position += runes.Length;
                if (position >= 0 && position < runes.Length) return new StringValue(runes[position]);
                return new UndefinedValue($"str object has no element {PythonFormat.Str(key)}");
        }

        return key is StringValue name && !name.Value.StartsWith('_') && Methods.Bind(target, name.Value) is { } method
            ? method
            : Missing(target, PythonFormat.Str(key));
    }

    public static Value Slice(Value target, Value? start, Value? stop, Value? step)
    {
        var stepValue = step is null or NoneValue ? 1 : Operators.ToLong(step);
        if (stepValue == 0) throw new TemplateRuntimeException("slice step cannot be zero");
        switch (target)
        {
            case ListValue list:
                return new ListValue(SliceIndices(list.Items.Count, start, stop, stepValue).Select(i => list.Items[i]).ToList(), list.IsTuple);
            case StringValue s:
                var runes = Runes(s.Value);
                return new StringValue(string.Concat(SliceIndices(runes.Length, start, stop, stepValue).Select(i => runes[i])));
            case UndefinedValue undefined:
                throw undefined.Fail();
            default:
                return new UndefinedValue($"'{Operators.TypeName(target)}' object is not subscriptable");
        }
    }

    /// <summary>Python's <c>slice.indices</c>: the positions a slice visits.</summary>
    private static IEnumerable<int> SliceIndices(int length, Value? start, Value? stop, long step)
    {
        long Clamp(Value? bound, long fallback, long low, long high)
        {
            if (bound is null or NoneValue) return fallback;
            var v = Operators.ToLong(bound);
            if (v < 0) v += length;
            return Math.Clamp(v, low, high);
        }

        if (step > 0)
        {
            var from = Clamp(start, 0, 0, length);
            var to = Clamp(stop, length, 0, length);
            for (var i = from; i < to; i += step) yield return (int)i;
        }
        else
        {
            var from = Clamp(start, length - 1, -1, length - 1);
            var to = Clamp(stop, -1, -1, length - 1);
            for (var i = from; i > to; i += step) yield return (int)i;
        }
    }

    /// <summary>A string as Python sees it: one element per code point.</summary>
    public static string[] Runes(string text)
    {
        var result = new string[text.Length];
        var count = 0;
        var simple = true;
        foreach (var c in text)
        {
            if (char.IsSurrogate(c))
            {
                simple = false;
                break;
            }
        }

        if (simple)
        {
            for (var i = 0; i < text.Length; i++) result[i] = text[i].ToString();
            return result;
        }

        foreach (var rune in text.EnumerateRunes()) result[count++] = rune.ToString();
        return result[..count];
    }

    private static UndefinedValue Missing(Value target, string name) =>
        new($"'{Describe(target)}' has no attribute '{name}'");

    private static string Describe(Value target) => target is NoneValue ? "None" : $"{Operators.TypeName(target)} object";
}
