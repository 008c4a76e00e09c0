using InferenceServer.Templating.Parsing;

namespace InferenceServer.Templating.Runtime;

internal sealed partial class Interpreter
{
    public Value Evaluate(Expr expr, Scope scope)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (expr)
        {
            case LiteralExpr literal:
                return literal.Value;
            case NameExpr name:
                return scope.TryGet(name.Name, out var found) ? found : new UndefinedValue($"'{name.Name}' is undefined");
            case AttributeExpr attribute:
                return Access.Attribute(Evaluate(attribute.Target, scope), attribute.Name);
            case ItemExpr item:
                return Access.Item(Evaluate(item.Target, scope), Evaluate(item.Index, scope));
            case CompareExpr compare:
                return EvaluateCompare(compare, scope);
            case BinaryExpr binary:
                return EvaluateBinary(binary, scope);
            case FilterExpr filter:
                return _builtins.Filter(filter.Name, filter.Operand is null ? UndefinedValue.Anonymous : Evaluate(filter.Operand, scope), EvaluateArguments(filter.Arguments, scope));
            case TestExpr test:
                var passed = _builtins.Test(test.Name, Evaluate(test.Operand, scope), EvaluateArguments(test.Arguments, scope));
                return Value.From(passed != test.Negated);
            case CallExpr call:
                return Invoke(Evaluate(call.Callee, scope), EvaluateArguments(call.Arguments, scope), call.Callee);
            case ConditionalExpr conditional:
                if (Evaluate(conditional.Condition, scope).IsTruthy) return Evaluate(conditional.Then, scope);
                return conditional.Else is null ? new UndefinedValue("the inline if-expression evaluated to false and no else section was defined") : Evaluate(conditional.Else, scope);
            case UnaryExpr unary:
                var operand = Evaluate(unary.Operand, scope);
                return unary.Operator switch
                {
                    "not" => Value.From(!operand.IsTruthy),
                    "-" => Operators.Negate(operand),
                    _ => operand.IsNumber ? operand : throw new TemplateRuntimeException($"bad operand type for unary +: '{Operators.TypeName(operand)}'"),
                };
            case ListExpr list:
                var items = new List<Value>(list.Items.Count);
                foreach (var element in list.Items) items.Add(Evaluate(element, scope));
                return new ListValue(items, list.IsTuple);
            case DictExpr dict:
                var result = new DictValue();
                foreach (var (key, value) in dict.Pairs)
                {
                    result.Items[Evaluate(key, scope)] = Evaluate(value, scope);
                }

                return result;
            case SliceExpr slice:
                return Access.Slice(Evaluate(slice.Target, scope), Optional(slice.Start, scope), Optional(slice.Stop, scope), Optional(slice.Step, scope));
            default:
                throw new TemplateRuntimeException($"unsupported expression {expr.GetType().Name}");
        }
    }

    private Value? Optional(Expr? expr, Scope scope) => expr is null ? null : Evaluate(expr, scope);

    private Value EvaluateBinary(BinaryExpr binary, Scope scope)
    {
        var left = Evaluate(binary.Left, scope);
        switch (binary.Operator)
        {
            case "and":
                return left.IsTruthy ? Evaluate(binary.Right, scope) : left;
            case "or":
                return left.IsTruthy ? left : Evaluate(binary.Right, scope);
        }

        var right = Evaluate(binary.Right, scope);
        return binary.Operator switch
        {
            "+" => Operators.Add(left, right),
            "-" => Operators.Subtract(left, right),
            "*" => Operators.Multiply(left, right),
            "/" => Operators.Divide(left, right),
            "//" => Operators.FloorDivide(left, right),
            "%" => Operators.Modulo(left, right),
            "**" => Operators.Power(left, right),
            "~" => new StringValue(PythonFormat.Str(left) + PythonFormat.Str(right)),
            _ => throw new TemplateRuntimeException($"unknown operator {binary.Operator}"),
        };
    }

    private Value EvaluateCompare(CompareExpr compare, Scope scope)
    {
        var left = Evaluate(compare.First, scope);
        foreach (var (op, rightExpr) in compare.Rest)
        {
            var right = Evaluate(rightExpr, scope);
            var holds = op switch
            {
                "==" => Operators.AreEqual(left, right),
                "!=" => !Operators.AreEqual(left, right),
                "<" => Operators.Compare(Defined(left), Defined(right)) < 0,
                "<=" => Operators.Compare(Defined(left), Defined(right)) <= 0,
                ">" => Operators.Compare(Defined(left), Defined(right)) > 0,
                ">=" => Operators.Compare(Defined(left), Defined(right)) >= 0,
                "in" => Operators.Contains(right, left),
                _ => !Operators.Contains(right, left),
            };
            if (!holds) return BoolValue.False;
            left = right;
        }

        return BoolValue.True;
    }

    private static Value Defined(Value value) => value is UndefinedValue u ? throw u.Fail() : value;

    public CallArguments EvaluateArguments(ArgumentList arguments, Scope scope)
    {
        if (arguments.Positional.Count == 0 && arguments.Named.Count == 0 && arguments.Spread is null && arguments.KeywordSpread is null)
        {
            return new CallArguments([], []);
        }

        var positional = new List<Value>(arguments.Positional.Count);
        foreach (var expr in arguments.Positional) positional.Add(Evaluate(expr, scope));
        if (arguments.Spread is not null) positional.AddRange(Iterate(Evaluate(arguments.Spread, scope)));
        var named = new List<KeyValuePair<string, Value>>(arguments.Named.Count);
        foreach (var (key, expr) in arguments.Named) named.Add(new(key, Evaluate(expr, scope)));
        if (arguments.KeywordSpread is not null && Evaluate(arguments.KeywordSpread, scope) is DictValue spread)
        {
            foreach (var (key, value) in spread.Items) named.Add(new(PythonFormat.Str(key), value));
        }

        return new CallArguments(positional, named);
    }

    private static Value Invoke(Value callee, CallArguments arguments, Expr calleeExpr) => callee switch
    {
        CallableValue callable => callable.Invoke(arguments),
        UndefinedValue undefined => throw undefined.Fail(),
        _ => throw new TemplateRuntimeException($"'{Operators.TypeName(callee)}' object is not callable{(calleeExpr is NameExpr n ? $" ({n.Name})" : "")}"),
    };

    /// <summary>The items a for loop or filter iterates: list items, dict keys, string characters; nothing for undefined.</summary>
    public static List<Value> Iterate(Value value) => value switch
    {
        ListValue list => list.Items,
        DictValue dict => dict.Items.Keys.ToList(),
        StringValue s => s.Value.EnumerateRunes().Select(r => (Value)new StringValue(r.ToString())).ToList(),
        UndefinedValue => [],
        _ => throw new TemplateRuntimeException($"'{Operators.TypeName(value)}' object is not iterable"),
    };
}
