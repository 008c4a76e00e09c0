using System.Globalization;

namespace InferenceServer.Templating.Runtime;

/// <summary>Filters over sequences: first, last, join, map, select/reject(attr), unique, sort, dictsort, min, max,
/// sum, batch. Strings compare case-insensitively unless <c>case_sensitive=true</c>, as in jinja2.</summary>
internal sealed partial class Builtins
{
    private static Value First(Value value, CallArguments arguments)
    {
        var items = Interpreter.Iterate(value);
        return items.Count > 0 ? items[0] : new UndefinedValue("No first item, sequence was empty.");
    }

    private static Value Last(Value value, CallArguments arguments)
    {
        var items = Interpreter.Iterate(value);
        return items.Count > 0 ? items[^1] : new UndefinedValue("No last item, sequence was empty.");
    }

    private static Value Join(Value value, CallArguments arguments)
    {
        var separator = Str(arguments.Get(0, "d", StringValue.Empty));
        IEnumerable<Value> items = Interpreter.Iterate(value);
        if (arguments.Find(1, "attribute") is { } attribute)
        {
            var getter = AttributeGetter(attribute, null);
            items = items.Select(getter);
        }

        return new StringValue(string.Join(separator, items.Select(Str)));
    }

    /// <summary>jinja2's make_attrgetter: dotted path, integer parts index lists; <c>default</c> replaces undefined.</summary>
    private static Func<Value, Value> AttributeGetter(Value attribute, Value? fallback)
    {
        var parts = attribute is StringValue s
            ? s.Value.Split('.').Select(p => long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? (Value)new IntValue(i) : new StringValue(p)).ToArray()
            : [attribute];
        return item =>
        {
            foreach (var part in parts)
            {
                item = Access.Item(item, part);
            }

            return item is UndefinedValue && fallback is not null ? fallback : item;
        };
    }

    private static Func<Value, Value> CaseKey(bool caseSensitive) =>
        v => !caseSensitive && v is StringValue s ? new StringValue(s.Value.ToLowerInvariant()) : v;

    private Value Map(Value value, CallArguments arguments)
    {
        var items = Interpreter.Iterate(value);
        if (arguments.Find(-1, "attribute") is { } attribute)
        {
            var getter = AttributeGetter(attribute, arguments.Find(-1, "default"));
            return new ListValue(items.Select(getter).ToList());
        }

        if (arguments.Positional.Count == 0) return new ListValue([.. items]);
        var filterName = Str(arguments.Positional[0]);
        var rest = new CallArguments(arguments.Positional.Skip(1).ToList(), arguments.Named);
        return new ListValue(items.Select(item => Filter(filterName, item, rest)).ToList());
    }

    private Value SelectOrReject(Value value, CallArguments arguments, bool keep, bool byAttribute)
    {
        var items = Interpreter.Iterate(value);
        var offset = 0;
        Func<Value, Value> pick = v => v;
        if (byAttribute)
        {
            pick = AttributeGetter(arguments.Get(0, "attribute", StringValue.Empty), null);
            offset = 1;
        }

        Func<Value, bool> check;
        if (arguments.Positional.Count <= offset)
        {
            check = v => v.IsTruthy;
        }
        else
        {
            var testName = Str(arguments.Positional[offset]);
            var testArguments = new CallArguments(arguments.Positional.Skip(offset + 1).ToList(), arguments.Named);
            check = v => Test(testName, v, testArguments);
        }

        return new ListValue(items.Where(item => check(pick(item)) == keep).ToList());
    }

    private static Value Unique(Value value, CallArguments arguments)
    {
        var key = CaseKey(arguments.Get(0, "case_sensitive", BoolValue.False).IsTruthy);
        var attribute = arguments.Find(1, "attribute");
        var getter = attribute is null ? (Func<Value, Value>)(v => v) : AttributeGetter(attribute, null);
        var seen = new HashSet<Value>();
        var result = new List<Value>();
        foreach (var item in Interpreter.Iterate(value))
        {
            if (seen.Add(key(getter(item)))) result.Add(item);
        }

        return new ListValue(result);
    }

    private static Value Sort(Value value, CallArguments arguments)
    {
        var reverse = arguments.Get(0, "reverse", BoolValue.False).IsTruthy;
        var key = CaseKey(arguments.Get(1, "case_sensitive", BoolValue.False).IsTruthy);
        var attribute = arguments.Find(2, "attribute");
        var getter = attribute is null ? (Func<Value, Value>)(v => v) : AttributeGetter(attribute, null);
        var sorted = StableSort(Interpreter.Iterate(value), v => key(getter(v)), reverse);
        return new ListValue(sorted);
    }

    private static List<Value> StableSort(IEnumerable<Value> items, Func<Value, Value> key, bool reverse)
    {
        var comparer = Comparer<Value>.Create(Operators.Compare);
        var ordered = reverse ? items.OrderByDescending(key, comparer) : items.OrderBy(key, comparer);
        return ordered.ToList();
    }

    private static Value DictSort(Value value, CallArguments arguments)
    {
        if (value is not DictValue dict) throw new TemplateRuntimeException("dictsort expects a mapping");
        var key = CaseKey(arguments.Get(0, "case_sensitive", BoolValue.False).IsTruthy);
        var byValue = Str(arguments.Get(1, "by", new StringValue("key"))) switch
        {
            "key" => false,
            "value" => true,
            _ => throw new TemplateRuntimeException("You can only sort by either \"key\" or \"value\""),
        };
        var reverse = arguments.Get(2, "reverse", BoolValue.False).IsTruthy;
        var pairs = dict.Items.Select(p => (Value)new ListValue([p.Key, p.Value], isTuple: true));
        return new ListValue(StableSort(pairs, p => key(((ListValue)p).Items[byValue ? 1 : 0]), reverse));
    }

    private static Value MinMax(Value value, CallArguments arguments, bool wantMax)
    {
        var key = CaseKey(arguments.Get(0, "case_sensitive", BoolValue.False).IsTruthy);
        var attribute = arguments.Find(1, "attribute");
        var getter = attribute is null ? (Func<Value, Value>)(v => v) : AttributeGetter(attribute, null);
        var items = Interpreter.Iterate(value);
        if (items.Count == 0) return new UndefinedValue($"No aggregated item, sequence was empty.");
        var best = items[0];
        foreach (var item in items.Skip(1))
        {
            var comparison = Operators.Compare(key(getter(item)), key(getter(best)));
            if (wantMax ? comparison > 0 : comparison < 0) best = item;
        }

        return best;
    }

    private static Value Sum(Value value, CallArguments arguments)
    {
        var attribute = arguments.Find(0, "attribute");
        var total = arguments.Get(1, "start", new IntValue(0));
        var getter = attribute is null ? (Func<Value, Value>)(v => v) : AttributeGetter(attribute, null);
        foreach (var item in Interpreter.Iterate(value))
        {
            total = Operators.Add(total, getter(item));
        }

        return total;
    }

    private static Value Batch(Value value, CallArguments arguments)
    {
        var size = (int)Operators.ToLong(arguments.Get(0, "linecount", new IntValue(1)));
        if (size < 1) throw new TemplateRuntimeException("batch size must be positive");
        var fill = arguments.Find(1, "fill_with");
        var result = new List<Value>();
        var current = new List<Value>();
        foreach (var item in Interpreter.Iterate(value))
        {
            current.Add(item);
            if (current.Count == size)
            {
                result.Add(new ListValue(current));
                current = [];
            }
        }

        if (current.Count > 0)
        {
            while (fill is not null and not NoneValue && current.Count < size) current.Add(fill);
            result.Add(new ListValue(current));
        }

        return new ListValue(result);
    }
}
