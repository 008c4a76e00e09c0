using System.Text;

namespace InferenceServer.Templating.Runtime;

/// <summary>Python semantics of the template operators: equality, ordering, arithmetic, membership.</summary>
public static class Operators
{
    public static bool AreEqual(Value left, Value right)
    {
        if (ReferenceEquals(left, right)) return true;
        if (left.IsNumber && right.IsNumber)
        {
            return left is FloatValue || right is FloatValue ? ToDouble(left) == ToDouble(right) : ToLong(left) == ToLong(right);
        }

        switch (left)
        {
            case StringValue a when right is StringValue b:
                return a.Value == b.Value;
            case NoneValue:
                return right is NoneValue;
            case UndefinedValue:
                return right is UndefinedValue;
            case ListValue a when right is ListValue b && a.IsTuple == b.IsTuple:
                if (a.Items.Count != b.Items.Count) return false;
                for (var i = 0; i < a.Items.Count; i++)
                {
                    if (!AreEqual(a.Items[i], b.Items[i])) return false;
                }

                return true;
            case DictValue a when right is DictValue b:
                if (a.Items.Count != b.Items.Count) return false;
                foreach (var pair in a.Items)
                {
                    if (!b.Items.TryGetValue(pair.Key, out var other) || !AreEqual(pair.Value, other)) return false;
                }

                return true;
            default:
                return false;
        }
    }

    public static int Hash(Value value) => value switch
    {
        StringValue s => s.Value.GetHashCode(StringComparison.Ordinal),
        BoolValue b => b.Value ? 1 : 0,
        IntValue i => i.Value.GetHashCode(),
        FloatValue f => f.Value == Math.Floor(f.Value) && Math.Abs(f.Value) < 9e18 ? ((long)f.Value).GetHashCode() : f.Value.GetHashCode(),
        NoneValue => 17,
        ListValue list => list.Items.Aggregate(19, (h, v) => HashCode.Combine(h, Hash(v))),
        _ => throw new TemplateRuntimeException($"unhashable type: '{TypeName(value)}'"),
    };

    /// <summary>Python's ordering (<c>&lt;</c> and friends); strings compare by code point.</summary>
    public static int Compare(Value left, Value right)
    {
        if (left.IsNumber && right.IsNumber)
        {
            return left is FloatValue || right is FloatValue ? ToDouble(left).CompareTo(ToDouble(right)) : ToLong(left).CompareTo(ToLong(right));
        }

        if (left is StringValue a && right is StringValue b)
        {
            return string.CompareOrdinal(a.Value, b.Value) switch { < 0 => -1, > 0 => 1, _ => 0 };
        }

        if (left is ListValue la && right is ListValue lb)
        {
            for (var i = 0; i < Math.Min(la.Items.Count, lb.Items.Count); i++)
            {
                if (!AreEqual(la.Items[i], lb.Items[i])) return Compare(la.Items[i], lb.Items[i]);
            }

            return la.Items.Count.CompareTo(lb.Items.Count);
        }

        throw new TemplateRuntimeException($"'<' not supported between instances of '{TypeName(left)}' and '{TypeName(right)}'");
    }

    public static bool Contains(Value container, Value item) => container switch
    {
        StringValue s when item is StringValue sub => s.Value.Contains(sub.Value, StringComparison.Ordinal),
        StringValue => throw new TemplateRuntimeException($"'in <string>' requires string as left operand, not {TypeName(item)}"),
        ListValue list => list.Items.Any(v => AreEqual(v, item)),
        DictValue dict => dict.Items.ContainsKey(item),
        UndefinedValue u => throw u.Fail(),
        _ => throw new TemplateRuntimeException($"argument of type '{TypeName(container)}' is not iterable"),
    };

    public static Value Add(Value left, Value right)
    {
        Guard(left, right);
        if (left.IsNumber && right.IsNumber)
        {
            return left is FloatValue || right is FloatValue ? new FloatValue(ToDouble(left) + ToDouble(right)) : new IntValue(ToLong(left) + ToLong(right));
        }

        return (left, right) switch
        {
            (StringValue a, StringValue b) => new StringValue(a.Value + b.Value),
            (ListValue a, ListValue b) when a.IsTuple == b.IsTuple => new ListValue([.. a.Items, .. b.Items], a.IsTuple),
            _ => throw Unsupported("+", left, right),
        };
    }

    public static Value Subtract(Value left, Value right) => Arithmetic("-", left, right, (a, b) => a - b, (a, b) => a - b);

    public static Value Multiply(Value left, Value right)
    {
        Guard(left, right);
        return (left, right) switch
        {
            (StringValue s, IntValue or BoolValue) => new StringValue(Repeat(s.Value, ToLong(right))),
            (IntValue or BoolValue, StringValue s) => new StringValue(Repeat(s.Value, ToLong(left))),
            (ListValue l, IntValue or BoolValue) => new ListValue(Enumerable.Repeat(l.Items, (int)Math.Max(0, ToLong(right))).SelectMany(x => x).ToList(), l.IsTuple),
            _ => Arithmetic("*", left, right, (a, b) => a * b, (a, b) => a * b),
        };
    }

    public static Value Divide(Value left, Value right)
    {
        Guard(left, right);
        if (!left.IsNumber || !right.IsNumber) throw Unsupported("/", left, right);
        var divisor = ToDouble(right);
        if (divisor == 0) throw new TemplateRuntimeException("division by zero");
        return new FloatValue(ToDouble(left) / divisor);
    }

    public static Value FloorDivide(Value left, Value right)
    {
        Guard(left, right);
        if (!left.IsNumber || !right.IsNumber) throw Unsupported("//", left, right);
        if (ToDouble(right) == 0) throw new TemplateRuntimeException("integer division or modulo by zero");
        if (left is FloatValue || right is FloatValue) return new FloatValue(Math.Floor(ToDouble(left) / ToDouble(right)));
        var (a, b) = (ToLong(left), ToLong(right));
        var quotient = a / b;
        if ((a % b != 0) && ((a < 0) != (b < 0))) quotient--;
        return new IntValue(quotient);
    }

    public static Value Modulo(Value left, Value right)
    {
        Guard(left, right);
        if (left is StringValue format)
        {
            return new StringValue(PercentFormat(format.Value, right));
        }

        if (!left.IsNumber || !right.IsNumber) throw Unsupported("%", left, right);
        if (ToDouble(right) == 0) throw new TemplateRuntimeException("integer division or modulo by zero");
        if (left is FloatValue || right is FloatValue)
        {
            var (x, y) = (ToDouble(left), ToDouble(right));
            var r = x % y;
            return new FloatValue(r != 0 && (r < 0) != (y < 0) ? r + y : r);
        }

        var (a, b) = (ToLong(left), ToLong(right));
        var m = a % b;
        return new IntValue(m != 0 && (m < 0) != (b < 0) ? m + b : m);
    }

    public static Value Power(Value left, Value right)
    {
        Guard(left, right);
        if (!left.IsNumber || !right.IsNumber) throw Unsupported("**", left, right);
        if (left is not FloatValue && right is not FloatValue && ToLong(right) >= 0)
        {
            long result = 1, b = ToLong(left);
            for (var e = ToLong(right); e > 0; e--) result = checked(result * b);
            return new IntValue(result);
        }

        return new FloatValue(Math.Pow(ToDouble(left), ToDouble(right)));
    }

    public static Value Negate(Value operand) => operand switch
    {
        FloatValue f => new FloatValue(-f.Value),
        IntValue or BoolValue => new IntValue(-ToLong(operand)),
        UndefinedValue u => throw u.Fail(),
        _ => throw new TemplateRuntimeException($"bad operand type for unary -: '{TypeName(operand)}'"),
    };

    public static long ToLong(Value value) => value switch
    {
        IntValue i => i.Value,
        BoolValue b => b.Value ? 1 : 0,
        FloatValue f => (long)f.Value,
        _ => throw new TemplateRuntimeException($"expected a number, got '{TypeName(value)}'"),
    };

    public static double ToDouble(Value value) => value switch
    {
        FloatValue f => f.Value,
        IntValue i => i.Value,
        BoolValue b => b.Value ? 1 : 0,
        _ => throw new TemplateRuntimeException($"expected a number, got '{TypeName(value)}'"),
    };

    /// <summary>Python's type name as jinja2 error messages print it.</summary>
    public static string TypeName(Value value) => value switch
    {
        StringValue => "str",
        IntValue => "int",
        FloatValue => "float",
        BoolValue => "bool",
        NoneValue => "NoneType",
        ListValue l => l.IsTuple ? "tuple" : "list",
        DictValue d => d.IsNamespace ? "Namespace" : "dict",
        CallableValue => "function",
        _ => "Undefined",
    };

    private static Value Arithmetic(string op, Value left, Value right, Func<long, long, long> integer, Func<double, double, double> real)
    {
        Guard(left, right);
        if (!left.IsNumber || !right.IsNumber) throw Unsupported(op, left, right);
        return left is FloatValue || right is FloatValue
            ? new FloatValue(real(ToDouble(left), ToDouble(right)))
            : new IntValue(integer(ToLong(left), ToLong(right)));
    }

    private static void Guard(Value left, Value right)
    {
        if (left is UndefinedValue u) throw u.Fail();
        if (right is UndefinedValue v) throw v.Fail();
    }

    private static TemplateRuntimeException Unsupported(string op, Value left, Value right) =>
        new($"unsupported operand type(s) for {op}: '{TypeName(left)}' and '{TypeName(right)}'");

    private static string Repeat(string text, long count)
    {
        if (count <= 0 || text.Length == 0) return "";
        if (text.Length * count > 16 * 1024 * 1024) throw new TemplateLimitException("string repetition result is too large");
        return new StringBuilder(text.Length * (int)count).Insert(0, text, (int)count).ToString();
    }

    /// <summary>printf-style <c>"%s" % value</c> (s, d, i, r, f and %% conversions).</summary>
    private static string PercentFormat(string format, Value arguments)
    {
        var args = arguments is ListValue { IsTuple: true } tuple ? tuple.Items : [arguments];
        var builder = new StringBuilder();
        var next = 0;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                builder.Append(format[i]);
                continue;
            }

            var conversion = format[++i];
            if (conversion == '%')
            {
                builder.Append('%');
                continue;
            }

            if (next >= args.Count) throw new TemplateRuntimeException("not enough arguments for format string");
            var arg = args[next++];
            builder.Append(conversion switch
            {
                's' => PythonFormat.Str(arg),
                'r' => PythonFormat.Repr(arg),
                'd' or 'i' => ToLong(arg).ToString(System.Globalization.CultureInfo.InvariantCulture),
                'f' => ToDouble(arg).ToString("F6", System.Globalization.CultureInfo.InvariantCulture),
                _ => throw new TemplateRuntimeException($"unsupported format character '{conversion}'"),
            });
        }

        return builder.ToString();
    }
}
