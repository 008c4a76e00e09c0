namespace InferenceServer.Templating.Runtime;

/// <summary>
/// The global functions (<c>range</c>, <c>namespace</c>, <c>dict</c>, <c>raise_exception</c>,
/// <c>strftime_now</c>) and the dispatch to filters and tests by name. One per render.
/// </summary>
internal sealed partial class Builtins
{
    private const int MaxRangeLength = 1_000_000;

    private readonly TimeProvider _time;

    public Builtins(TimeProvider time)
    {
        _time = time;
        Globals = new Scope(null);
        Globals.Set("range", new CallableValue("range", Range));
        Globals.Set("namespace", new CallableValue("namespace", a => MakeDict(a, isNamespace: true)));
        Globals.Set("dict", new CallableValue("dict", a => MakeDict(a, isNamespace: false)));
        Globals.Set("raise_exception", new CallableValue("raise_exception", a =>
            throw new TemplateRuntimeException(PythonFormat.Str(a.Get(0, "message", StringValue.Empty)), raisedByTemplate: true)));
        Globals.Set("strftime_now", new CallableValue("strftime_now", a =>
            new StringValue(Strftime.Format(_time.GetLocalNow().DateTime, PythonFormat.Str(a.Get(0, "format", StringValue.Empty))))));
    }

    /// <summary>The scope every render's variables sit on.</summary>
    public Scope Globals { get; }

    public Value Filter(string name, Value value, CallArguments arguments) =>
        FilterFunction(name) is { } filter ? filter(value, arguments) : throw new TemplateRuntimeException($"No filter named '{name}'.");

    public bool Test(string name, Value value, CallArguments arguments) =>
        TestFunction(name) is { } test ? test(value, arguments) : throw new TemplateRuntimeException($"No test named '{name}'.");

    private static Value Range(CallArguments arguments)
    {
        var numbers = arguments.Positional.Select(Operators.ToLong).ToArray();
        var (start, stop, step) = numbers.Length switch
        {
            1 => (0L, numbers[0], 1L),
            2 => (numbers[0], numbers[1], 1L),
            3 => (numbers[0], numbers[1], numbers[2]),
            _ => throw new TemplateRuntimeException($"range expected 1 to 3 arguments, got {numbers.Length}"),
        };
        if (step == 0) throw new TemplateRuntimeException("range() arg 3 must not be zero");
        var items = new List<Value>();
        for (var i = start; step > 0 ? i < stop : i > stop; i += step)
        {
            if (items.Count >= MaxRangeLength) throw new TemplateLimitException($"range() is limited to {MaxRangeLength} items");
            items.Add(new IntValue(i));
        }

        return new ListValue(items);
    }

    private static DictValue MakeDict(CallArguments arguments, bool isNamespace)
    {
        var result = new DictValue(new OrderedDictionary<Value, Value>(), isNamespace);
        foreach (var positional in arguments.Positional)
        {
            switch (positional)
            {
                case DictValue dict:
                    foreach (var (k, v) in dict.Items) result.Items[k] = v;
                    break;
                case ListValue list:
                    foreach (var pair in list.Items)
                    {
                        var kv = Interpreter.Iterate(pair);
                        if (kv.Count != 2) throw new TemplateRuntimeException("dictionary update sequence element has wrong length");
                        result.Items[kv[0]] = kv[1];
                    }

                    break;
                default:
                    throw new TemplateRuntimeException($"'{Operators.TypeName(positional)}' object is not iterable");
            }
        }

        foreach (var (key, value) in arguments.Named) result.Set(key, value);
        return result;
    }
}
