namespace InferenceServer.Templating.Runtime;

/// <summary>jinja2's tests (<c>x is defined</c>, <c>x is string</c>, <c>x is divisibleby 3</c>, ...).</summary>
internal sealed partial class Builtins
{
    private Func<Value, CallArguments, bool>? TestFunction(string name) => name switch
    {
        "defined" => (v, _) => v is not UndefinedValue,
        "undefined" => (v, _) => v is UndefinedValue,
        "none" => (v, _) => v is NoneValue,
        "boolean" => (v, _) => v is BoolValue,
        "true" => (v, _) => v is BoolValue { Value: true },
        "false" => (v, _) => v is BoolValue { Value: false },
        "integer" => (v, _) => v is IntValue,
        "float" => (v, _) => v is FloatValue,
        "number" => (v, _) => v.IsNumber,
        "string" => (v, _) => v is StringValue,
        "mapping" => (v, _) => v is DictValue,
        "iterable" => (v, _) => v is ListValue or DictValue or StringValue or UndefinedValue,
        "sequence" => (v, _) => v is ListValue or DictValue or StringValue or UndefinedValue,
        "callable" => (v, _) => v is CallableValue,
        "sameas" => (v, a) => ReferenceEquals(v, Arg(a)) || (v is NoneValue or BoolValue && Operators.AreEqual(v, Arg(a)) && v.Kind == Arg(a).Kind),
        "escaped" => (_, _) => false,
        "equalto" or "eq" or "==" => (v, a) => Operators.AreEqual(v, Arg(a)),
        "ne" or "!=" => (v, a) => !Operators.AreEqual(v, Arg(a)),
        "gt" or "greaterthan" or ">" => (v, a) => Operators.Compare(v, Arg(a)) > 0,
        "ge" or ">=" => (v, a) => Operators.Compare(v, Arg(a)) >= 0,
        "lt" or "lessthan" or "<" => (v, a) => Operators.Compare(v, Arg(a)) < 0,
        "le" or "<=" => (v, a) => Operators.Compare(v, Arg(a)) <= 0,
        "in" => (v, a) => Operators.Contains(Arg(a), v),
        "odd" => (v, _) => Operators.ToLong(Number(v)) % 2 != 0,
        "even" => (v, _) => Operators.ToLong(Number(v)) % 2 == 0,
        "divisibleby" => (v, a) => Operators.ToLong(Number(v)) % Operators.ToLong(Arg(a)) == 0,
        "lower" => (v, _) => v is StringValue s && s.Value.Any(char.IsLetter) && !s.Value.Any(char.IsUpper),
        "upper" => (v, _) => v is StringValue s && s.Value.Any(char.IsLetter) && !s.Value.Any(char.IsLower),
        "filter" => (v, _) => v is StringValue s && FilterFunction(s.Value) is not null,
        "test" => (v, _) => v is StringValue s && TestFunction(s.Value) is not null,
        _ => null,
    };

    private static Value Arg(CallArguments arguments) =>
        arguments.Positional.Count > 0 ? arguments.Positional[0] : arguments.Named.Count > 0 ? arguments.Named[0].Value : throw new TemplateRuntimeException("test needs an argument");

    private static Value Number(Value value) => value is UndefinedValue u ? throw u.Fail() : value;
}
