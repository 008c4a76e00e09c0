using System.Globalization;
using InferenceServer.Templating.Lexing;
using InferenceServer.Templating.Runtime;

namespace InferenceServer.Templating.Parsing;

/// <summary>Expressions, by jinja2's precedence: conditional, or, and, not, comparison, + -, ~, * / // %, **,
/// unary - +, then primary with postfix (. [] ()) and filters/tests.</summary>
public sealed partial class Parser
{
    private static readonly HashSet<string> ComparisonOperators = ["==", "!=", "<", "<=", ">", ">="];

    /// <summary>An expression, or an unparenthesized tuple when commas follow (as in <c>{{ a, b }}</c>).</summary>
    private void EnsureStack()
    {
        if (!System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw Error("nesting is too deep", Current);
        }
    }

    private Expr ParseTupleOrExpression() => ParseTuple(withCondition: true, stopAtRecursive: false);

    private Expr ParseTuple(bool withCondition, bool stopAtRecursive)
    {
        var start = Current;
        var items = new List<Expr>();
        var sawComma = false;
        while (true)
        {
            if (items.Count > 0)
            {
                if (!SkipOperator(",")) break;
                sawComma = true;
            }

            if (IsTupleEnd(stopAtRecursive)) break;
            items.Add(withCondition ? ParseExpression() : ParseOr());
        }

        if (!sawComma)
        {
            return items.Count == 1 ? items[0] : throw Error($"Expected an expression, got {Describe(Current)}", Current);
        }

        return new ListExpr(items, true, start.Offset);
    }

    private bool IsTupleEnd(bool stopAtRecursive) =>
        Current.Kind is TokenKind.VariableEnd or TokenKind.BlockEnd or TokenKind.End
        || Current.IsOperator(")") || Current.IsOperator("=")
        || (stopAtRecursive && (Current.IsName("recursive") || Current.IsName("if")));

    private Expr ParseExpression()
    {
        EnsureStack();
        var expr = ParseOr();
        while (Current.IsName("if"))
        {
            var at = Advance();
            var condition = ParseOr();
            Expr? otherwise = SkipName("else") ? ParseExpression() : null;
            expr = new ConditionalExpr(condition, expr, otherwise, at.Offset);
        }

        return expr;
    }

    private Expr ParseOr()
    {
        var left = ParseAnd();
        while (Current.IsName("or"))
        {
            var at = Advance();
            left = new BinaryExpr("or", left, ParseAnd(), at.Offset);
        }

        return left;
    }

    private Expr ParseAnd()
    {
        var left = ParseNot();
        while (Current.IsName("and"))
        {
            var at = Advance();
            left = new BinaryExpr("and", left, ParseNot(), at.Offset);
        }

        return left;
    }

    private Expr ParseNot()
    {
        EnsureStack();
        if (Current.IsName("not"))
        {
            var at = Advance();
            return new UnaryExpr("not", ParseNot(), at.Offset);
        }

        return ParseCompare();
    }

    private Expr ParseCompare()
    {
        var first = ParseMath1();
        var rest = new List<KeyValuePair<string, Expr>>();
        while (true)
        {
            if (Current.Kind == TokenKind.Operator && ComparisonOperators.Contains(Current.Text))
            {
                var op = Advance().Text;
                rest.Add(new(op, ParseMath1()));
            }
            else if (Current.IsName("in"))
            {
                Advance();
                rest.Add(new("in", ParseMath1()));
            }
            else if (Current.IsName("not") && Peek().IsName("in"))
            {
                _index += 2;
                rest.Add(new("notin", ParseMath1()));
            }
            else
            {
                break;
            }
        }

        return rest.Count == 0 ? first : new CompareExpr(first, rest, first.Offset);
    }

    private Expr ParseMath1()
    {
        var left = ParseConcat();
        while (Current.IsOperator("+") || Current.IsOperator("-"))
        {
            var at = Advance();
            left = new BinaryExpr(at.Text, left, ParseConcat(), at.Offset);
        }

        return left;
    }

    private Expr ParseConcat()
    {
        var left = ParseMath2();
        while (Current.IsOperator("~"))
        {
            var at = Advance();
            left = new BinaryExpr("~", left, ParseMath2(), at.Offset);
        }

        return left;
    }

    private Expr ParseMath2()
    {
        var left = ParsePow();
        while (Current.Kind == TokenKind.Operator && Current.Text is "*" or "/" or "//" or "%")
        {
            var at = Advance();
            left = new BinaryExpr(at.Text, left, ParsePow(), at.Offset);
        }

        return left;
    }

    private Expr ParsePow()
    {
        var left = ParseUnary(withFilter: true);
        while (Current.IsOperator("**"))
        {
            var at = Advance();
            left = new BinaryExpr("**", left, ParseUnary(withFilter: true), at.Offset);
        }

        return left;
    }

    private Expr ParseUnary(bool withFilter)
    {
        EnsureStack();
        Expr node;
        if (Current.IsOperator("-") || Current.IsOperator("+"))
        {
            var at = Advance();
            node = new UnaryExpr(at.Text, ParseUnary(withFilter: false), at.Offset);
        }
        else
        {
            node = ParsePrimary();
        }

        node = ParsePostfix(node);
        return withFilter ? ParseFilterExpression(node) : node;
    }

    private Expr ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Name:
                _index++;
                return token.Text switch
                {
                    "true" or "True" => new LiteralExpr(BoolValue.True, token.Offset),
                    "false" or "False" => new LiteralExpr(BoolValue.False, token.Offset),
                    "none" or "None" => new LiteralExpr(NoneValue.Instance, token.Offset),
                    _ => new NameExpr(token.Text, token.Offset),
                };
            case TokenKind.String:
                _index++;
                var text = token.Text;
                while (Current.Kind == TokenKind.String) text += Advance().Text;
                return new LiteralExpr(new StringValue(text), token.Offset);
            case TokenKind.Integer:
                _index++;
                return new LiteralExpr(long.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var integer)
                    ? new IntValue(integer)
                    : throw Error("integer literal too large", token), token.Offset);
            case TokenKind.Float:
                _index++;
                return new LiteralExpr(new FloatValue(double.Parse(token.Text, CultureInfo.InvariantCulture)), token.Offset);
            case TokenKind.Operator when token.Text == "(":
                _index++;
                if (SkipOperator(")")) return new ListExpr([], true, token.Offset);
                var inner = ParseTupleOrExpression();
                Expect(TokenKind.Operator, ")");
                return inner;
            case TokenKind.Operator when token.Text == "[":
                _index++;
                var items = new List<Expr>();
                while (!SkipOperator("]"))
                {
                    if (items.Count > 0) Expect(TokenKind.Operator, ",");
                    if (SkipOperator("]")) break;
                    items.Add(ParseExpression());
                }

                return new ListExpr(items, false, token.Offset);
            case TokenKind.Operator when token.Text == "{":
                _index++;
                var pairs = new List<KeyValuePair<Expr, Expr>>();
                while (!SkipOperator("}"))
                {
                    if (pairs.Count > 0) Expect(TokenKind.Operator, ",");
                    if (SkipOperator("}")) break;
                    var key = ParseExpression();
                    Expect(TokenKind.Operator, ":");
                    pairs.Add(new(key, ParseExpression()));
                }

                return new DictExpr(pairs, token.Offset);
            default:
                throw Error($"unexpected {Describe(token)}", token);
        }
    }

    private Expr ParsePostfix(Expr node)
    {
        while (true)
        {
            var token = Current;
            if (token.IsOperator("."))
            {
                _index++;
                var attribute = Advance();
                node = attribute.Kind switch
                {
                    TokenKind.Name => new AttributeExpr(node, attribute.Text, token.Offset),
                    TokenKind.Integer => new ItemExpr(node, new LiteralExpr(new IntValue(long.Parse(attribute.Text, CultureInfo.InvariantCulture)), attribute.Offset), token.Offset),
                    _ => throw Error("expected name or number", attribute),
                };
            }
            else if (token.IsOperator("["))
            {
                _index++;
                node = ParseSubscript(node, token);
            }
            else if (token.IsOperator("("))
            {
                node = new CallExpr(node, ParseArguments(), token.Offset);
            }
            else
            {
                return node;
            }
        }
    }

    private Expr ParseSubscript(Expr target, Token open)
    {
        Expr? start = null;
        if (!Current.IsOperator(":"))
        {
            start = ParseExpression();
            if (SkipOperator("]")) return new ItemExpr(target, start, open.Offset);
        }

        Expect(TokenKind.Operator, ":");
        Expr? stop = Current.IsOperator(":") || Current.IsOperator("]") ? null : ParseExpression();
        Expr? step = null;
        if (SkipOperator(":") && !Current.IsOperator("]"))
        {
            step = ParseExpression();
        }

        Expect(TokenKind.Operator, "]");
        return new SliceExpr(target, start, stop, step, open.Offset);
    }

    private ArgumentList ParseArguments()
    {
        Expect(TokenKind.Operator, "(");
        var positional = new List<Expr>();
        var named = new List<KeyValuePair<string, Expr>>();
        Expr? spread = null, keywordSpread = null;
        var first = true;
        while (!SkipOperator(")"))
        {
            if (!first) Expect(TokenKind.Operator, ",");
            first = false;
            if (SkipOperator(")")) break;
            if (SkipOperator("**"))
            {
                keywordSpread = ParseExpression();
            }
            else if (SkipOperator("*"))
            {
                spread = ParseExpression();
            }
            else if (Current.Kind == TokenKind.Name && Peek().IsOperator("="))
            {
                var key = Advance().Text;
                _index++;
                named.Add(new(key, ParseExpression()));
            }
            else
            {
                if (named.Count > 0) throw Error("positional argument follows keyword argument", Current);
                positional.Add(ParseExpression());
            }
        }

        return new ArgumentList(positional, named, spread, keywordSpread);
    }

    private Expr ParseFilterExpression(Expr node)
    {
        while (true)
        {
            if (Current.IsOperator("|"))
            {
                _index++;
                node = ParseFilterCall(node);
            }
            else if (Current.IsName("is"))
            {
                node = ParseTest(node);
            }
            else if (Current.IsOperator("("))
            {
                node = new CallExpr(node, ParseArguments(), Current.Offset);
            }
            else
            {
                return node;
            }
        }
    }

    private FilterExpr ParseFilterCall(Expr? operand)
    {
        var name = Expect(TokenKind.Name);
        var fullName = name.Text;
        while (Current.IsOperator(".") && Peek().Kind == TokenKind.Name)
        {
            _index++;
            fullName += "." + Advance().Text;
        }

        var arguments = Current.IsOperator("(") ? ParseArguments() : ArgumentList.Empty;
        return new FilterExpr(operand, fullName, arguments, name.Offset);
    }

    private TestExpr ParseTest(Expr operand)
    {
        var at = Advance();
        var negated = SkipName("not");
        var name = Expect(TokenKind.Name);
        var fullName = name.Text;
        while (Current.IsOperator(".") && Peek().Kind == TokenKind.Name)
        {
            _index++;
            fullName += "." + Advance().Text;
        }

        ArgumentList arguments;
        if (Current.IsOperator("("))
        {
            arguments = ParseArguments();
        }
        else if ((Current.Kind is TokenKind.Name or TokenKind.String or TokenKind.Integer or TokenKind.Float
                  || Current.IsOperator("(") || Current.IsOperator("[") || Current.IsOperator("{"))
                 && !(Current.IsName("else") || Current.IsName("or") || Current.IsName("and")))
        {
            if (Current.IsName("is")) throw Error("You cannot chain multiple tests with is", Current);
            arguments = new ArgumentList([ParsePostfix(ParsePrimary())], []);
        }
        else
        {
            arguments = ArgumentList.Empty;
        }

        return new TestExpr(operand, fullName, arguments, negated, at.Offset);
    }
}
