namespace InferenceServer.Templating.Runtime;

/// <summary>The kinds of value a template works with (Python's types as jinja2 sees them).</summary>
public enum ValueKind
{
    Undefined,
    None,
    Bool,
    Int,
    Float,
    String,
    List,
    Dict,
    Callable,
}

/// <summary>
/// A template value. Immutable except <see cref="ListValue"/> and <see cref="DictValue"/> (which templates may
/// mutate through <c>append</c>, <c>pop</c> and namespace attributes). Equality and hashing follow Python
/// (<c>1 == 1.0 == True</c>), so values can key a dictionary.
/// </summary>
public abstract class Value : IEquatable<Value>
{
    public abstract ValueKind Kind { get; }

    /// <summary>Python truthiness.</summary>
    public abstract bool IsTruthy { get; }

    public bool IsUndefined => Kind == ValueKind.Undefined;
    public bool IsNone => Kind == ValueKind.None;
    public bool IsNumber => Kind is ValueKind.Int or ValueKind.Float or ValueKind.Bool;

    /// <summary>Python's <c>str()</c>: what <c>{{ value }}</c> prints.</summary>
    public override string ToString() => PythonFormat.Str(this);

    public bool Equals(Value? other) => other is not null && Operators.AreEqual(this, other);

    public override bool Equals(object? obj) => obj is Value other && Equals(other);

    public override int GetHashCode() => Operators.Hash(this);

    public static Value From(string? text) => text is null ? NoneValue.Instance : new StringValue(text);

    public static Value From(bool value) => value ? BoolValue.True : BoolValue.False;

    public static Value From(long value) => new IntValue(value);

    public static Value From(double value) => new FloatValue(value);
}

/// <summary>A missing variable, attribute or item. Prints as nothing, iterates as empty, is falsy; most other
/// uses raise (as jinja2's default Undefined does).</summary>
public sealed class UndefinedValue(string hint) : Value
{
    public static UndefinedValue Anonymous { get; } = new("value is undefined");

    /// <summary>Why it is undefined ("'x' is undefined", "'dict object' has no attribute 'y'").</summary>
    public string Hint { get; } = hint;

    public override ValueKind Kind => ValueKind.Undefined;
    public override bool IsTruthy => false;

    public TemplateRuntimeException Fail() => new(Hint);
}

public sealed class NoneValue : Value
{
    public static NoneValue Instance { get; } = new();

    private NoneValue()
    {
    }

    public override ValueKind Kind => ValueKind.None;
    public override bool IsTruthy => false;
}

public sealed class BoolValue : Value
{
    public static BoolValue True { get; } = new(true);
    public static BoolValue False { get; } = new(false);

    private BoolValue(bool value) => Value = value;

    public bool Value { get; }
    public override ValueKind Kind => ValueKind.Bool;
    public override bool IsTruthy => Value;
}

public sealed class IntValue(long value) : Value
{
    public long Value { get; } = value;
    public override ValueKind Kind => ValueKind.Int;
    public override bool IsTruthy => Value != 0;
}

public sealed class FloatValue(double value) : Value
{
    public double Value { get; } = value;
    public override ValueKind Kind => ValueKind.Float;
    public override bool IsTruthy => Value != 0;
}

public sealed class StringValue(string value) : Value
{
    public static StringValue Empty { get; } = new("");

    public string Value { get; } = value;
    public override ValueKind Kind => ValueKind.String;
    public override bool IsTruthy => Value.Length > 0;
}

/// <summary>A Python list, or a tuple when <see cref="IsTuple"/> (prints with parentheses, cannot be mutated).</summary>
public sealed class ListValue(List<Value> items, bool isTuple = false) : Value
{
    public ListValue()
        : this([])
    {
    }

    public List<Value> Items { get; } = items;
    public bool IsTuple { get; } = isTuple;
    public override ValueKind Kind => ValueKind.List;
    public override bool IsTruthy => Items.Count > 0;
}

/// <summary>A Python dict (insertion-ordered), or a jinja2 <c>namespace()</c> when <see cref="IsNamespace"/>
/// (its attributes may be assigned with <c>{% set ns.x = ... %}</c>).</summary>
public sealed class DictValue(OrderedDictionary<Value, Value> items, bool isNamespace = false) : Value
{
    public DictValue()
        : this(new OrderedDictionary<Value, Value>())
    {
    }

    public OrderedDictionary<Value, Value> Items { get; } = items;
    public bool IsNamespace { get; } = isNamespace;
    public override ValueKind Kind => ValueKind.Dict;
    public override bool IsTruthy => IsNamespace || Items.Count > 0;

    public Value Get(string key) => Items.TryGetValue(new StringValue(key), out var value) ? value : UndefinedValue.Anonymous;

    public void Set(string key, Value value) => Items[new StringValue(key)] = value;
}

/// <summary>Arguments of a call: positional then keyword (in call order).</summary>
public sealed class CallArguments(List<Value> positional, List<KeyValuePair<string, Value>> named)
{
    public static CallArguments None { get; } = new([], []);

    public List<Value> Positional { get; } = positional;
    public List<KeyValuePair<string, Value>> Named { get; } = named;

    /// <summary>The argument at <paramref name="index"/> or named <paramref name="name"/>, else <paramref name="fallback"/>.</summary>
    public Value Get(int index, string name, Value fallback)
    {
        foreach (var pair in Named)
        {
            if (pair.Key == name)
            {
                return pair.Value;
            }
        }

        return index >= 0 && index < Positional.Count ? Positional[index] : fallback;
    }

    public Value? Find(int index, string name)
    {
        var value = Get(index, name, UndefinedValue.Anonymous);
        return ReferenceEquals(value, UndefinedValue.Anonymous) ? null : value;
    }
}

/// <summary>Something a template can call: a global function, a bound method, a macro, <c>caller</c>.</summary>
public sealed class CallableValue(string name, Func<CallArguments, Value> invoke) : Value
{
    public string Name { get; } = name;
    public override ValueKind Kind => ValueKind.Callable;
    public override bool IsTruthy => true;

    public Value Invoke(CallArguments arguments) => invoke(arguments);
}
