using InferenceServer.Templating.Runtime;

namespace InferenceServer.Templating.Parsing;

/// <summary>An expression of the syntax tree; <see cref="Offset"/> points into the source for error messages.</summary>
public abstract record Expr(int Offset);

public sealed record LiteralExpr(Value Value, int Offset) : Expr(Offset);

public sealed record NameExpr(string Name, int Offset) : Expr(Offset);

public sealed record ListExpr(IReadOnlyList<Expr> Items, bool IsTuple, int Offset) : Expr(Offset);

public sealed record DictExpr(IReadOnlyList<KeyValuePair<Expr, Expr>> Pairs, int Offset) : Expr(Offset);

public sealed record AttributeExpr(Expr Target, string Name, int Offset) : Expr(Offset);

public sealed record ItemExpr(Expr Target, Expr Index, int Offset) : Expr(Offset);

public sealed record SliceExpr(Expr Target, Expr? Start, Expr? Stop, Expr? Step, int Offset) : Expr(Offset);

/// <summary>Call arguments as written: positional, keyword, and <c>*args</c>/<c>**kwargs</c> spreads.</summary>
public sealed record ArgumentList(IReadOnlyList<Expr> Positional, IReadOnlyList<KeyValuePair<string, Expr>> Named, Expr? Spread = null, Expr? KeywordSpread = null)
{
    public static ArgumentList Empty { get; } = new([], []);
}

public sealed record CallExpr(Expr Callee, ArgumentList Arguments, int Offset) : Expr(Offset);

public sealed record FilterExpr(Expr? Operand, string Name, ArgumentList Arguments, int Offset) : Expr(Offset);

public sealed record TestExpr(Expr Operand, string Name, ArgumentList Arguments, bool Negated, int Offset) : Expr(Offset);

public sealed record UnaryExpr(string Operator, Expr Operand, int Offset) : Expr(Offset);

public sealed record BinaryExpr(string Operator, Expr Left, Expr Right, int Offset) : Expr(Offset);

/// <summary>Chained comparison <c>a &lt; b &lt;= c</c> (also <c>in</c> and <c>not in</c>).</summary>
public sealed record CompareExpr(Expr First, IReadOnlyList<KeyValuePair<string, Expr>> Rest, int Offset) : Expr(Offset);

public sealed record ConditionalExpr(Expr Condition, Expr Then, Expr? Else, int Offset) : Expr(Offset);

/// <summary>A statement (or text) of the syntax tree.</summary>
public abstract record Node(int Offset);

public sealed record TextNode(string Text, int Offset) : Node(Offset);

public sealed record PrintNode(Expr Expression, int Offset) : Node(Offset);

public sealed record IfNode(IReadOnlyList<KeyValuePair<Expr, IReadOnlyList<Node>>> Branches, IReadOnlyList<Node>? Else, int Offset) : Node(Offset);

public sealed record ForNode(Expr Target, Expr Iterable, Expr? Filter, IReadOnlyList<Node> Body, IReadOnlyList<Node>? Else, bool Recursive, int Offset) : Node(Offset);

/// <summary><c>{% set target = value %}</c>; a target is a name, a tuple of names, or <c>namespace.attribute</c>.</summary>
public sealed record SetNode(Expr Target, Expr Value, int Offset) : Node(Offset);

/// <summary><c>{% set name %}...{% endset %}</c>, optionally through filters.</summary>
public sealed record SetBlockNode(Expr Target, IReadOnlyList<Node> Body, IReadOnlyList<FilterExpr> Filters, int Offset) : Node(Offset);

public sealed record MacroParameter(string Name, Expr? Default);

public sealed record MacroNode(string Name, IReadOnlyList<MacroParameter> Parameters, IReadOnlyList<Node> Body, int Offset) : Node(Offset);

/// <summary><c>{% call(params) macro(args) %}body{% endcall %}</c>: the body is the macro's <c>caller()</c>.</summary>
public sealed record CallBlockNode(CallExpr Call, IReadOnlyList<MacroParameter> CallerParameters, IReadOnlyList<Node> Body, int Offset) : Node(Offset);

public sealed record FilterBlockNode(IReadOnlyList<FilterExpr> Filters, IReadOnlyList<Node> Body, int Offset) : Node(Offset);

public sealed record WithNode(IReadOnlyList<KeyValuePair<Expr, Expr>> Assignments, IReadOnlyList<Node> Body, int Offset) : Node(Offset);

public sealed record BreakNode(int Offset) : Node(Offset);

public sealed record ContinueNode(int Offset) : Node(Offset);

/// <summary><c>{% do expr %}</c>: evaluates for its side effect.</summary>
public sealed record DoNode(Expr Expression, int Offset) : Node(Offset);

/// <summary>transformers' <c>{% generation %}</c> block: marks assistant text for training masks; renders its body.</summary>
public sealed record GenerationNode(IReadOnlyList<Node> Body, int Offset) : Node(Offset);
