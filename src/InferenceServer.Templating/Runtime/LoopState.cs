namespace InferenceServer.Templating.Runtime;

/// <summary>One for loop's items and state; <see cref="At"/> gives the <c>loop</c> variable of one iteration.</summary>
internal sealed class LoopState
{
    private readonly List<Value> _items;
    private Value? _lastChanged;

    public LoopState(List<Value> items)
    {
        _items = items;
        Changed = new CallableValue("changed", arguments =>
        {
            var value = new ListValue(arguments.Positional, isTuple: true);
            var changed = _lastChanged is null || !Operators.AreEqual(_lastChanged, value);
            _lastChanged = value;
            return Value.From(changed);
        });
    }

    public CallableValue Changed { get; }

    public LoopValue At(int index) => new(this, index);

    public Value Attribute(int index, string name)
    {
        var length = _items.Count;
        return name switch
        {
            "index" => new IntValue(index + 1),
            "index0" => new IntValue(index),
            "revindex" => new IntValue(length - index),
            "revindex0" => new IntValue(length - index - 1),
            "first" => Value.From(index == 0),
            "last" => Value.From(index == length - 1),
            "length" => new IntValue(length),
            // Depth counts recursive-loop levels; nested loops are separate loops (jinja2 gives 1 for each).
            "depth" => new IntValue(1),
            "depth0" => new IntValue(0),
            "previtem" => index > 0 ? _items[index - 1] : new UndefinedValue("there is no previous item"),
            "nextitem" => index < length - 1 ? _items[index + 1] : new UndefinedValue("there is no next item"),
            "cycle" => new CallableValue("cycle", arguments =>
                arguments.Positional.Count == 0
                    ? throw new TemplateRuntimeException("no items for cycling given")
                    : arguments.Positional[index % arguments.Positional.Count]),
            "changed" => Changed,
            _ => new UndefinedValue($"'LoopContext' object has no attribute '{name}'"),
        };
    }
}

/// <summary>
/// The <c>loop</c> variable of a for loop: index, index0, revindex, revindex0, first, last, length, previtem,
/// nextitem, depth, depth0, <c>cycle(...)</c> and <c>changed(...)</c>, computed when read.
/// </summary>
internal sealed class LoopValue(LoopState state, int index) : Value
{
    public override ValueKind Kind => ValueKind.Object;
    public override bool IsTruthy => true;

    public Value Attribute(string name) => state.Attribute(index, name);
}
