namespace InferenceServer.Templating.Runtime;

/// <summary>The <c>loop</c> variable of a for loop: index, index0, revindex, revindex0, first, last, length,
/// previtem, nextitem, depth, depth0, <c>cycle(...)</c> and <c>changed(...)</c>.</summary>
internal sealed class LoopState(List<Value> items, int outerDepth)
{
    private Value? _lastChanged;

    public DictValue At(int index)
    {
        var length = items.Count;
        var loop = new DictValue();
        loop.Set("index", new IntValue(index + 1));
        loop.Set("index0", new IntValue(index));
        loop.Set("revindex", new IntValue(length - index));
        loop.Set("revindex0", new IntValue(length - index - 1));
        loop.Set("first", Value.From(index == 0));
        loop.Set("last", Value.From(index == length - 1));
        loop.Set("length", new IntValue(length));
        loop.Set("depth", new IntValue(outerDepth + 1));
        loop.Set("depth0", new IntValue(outerDepth));
        loop.Set("previtem", index > 0 ? items[index - 1] : new UndefinedValue("there is no previous item"));
        loop.Set("nextitem", index < length - 1 ? items[index + 1] : new UndefinedValue("there is no next item"));
        loop.Set("cycle", new CallableValue("cycle", arguments =>
            arguments.Positional.Count == 0
                ? throw new TemplateRuntimeException("no items for cycling given")
                : arguments.Positional[index % arguments.Positional.Count]));
        loop.Set("changed", new CallableValue("changed", arguments =>
        {
            var value = new ListValue(arguments.Positional, isTuple: true);
            var changed = _lastChanged is null || !Operators.AreEqual(_lastChanged, value);
            _lastChanged = value;
            return Value.From(changed);
        }));
        return loop;
    }
}
