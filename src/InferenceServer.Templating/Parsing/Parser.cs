using InferenceServer.Templating.Lexing;

namespace InferenceServer.Templating.Parsing;

/// <summary>
/// Builds the syntax tree from tokens (statements here, expressions in Parser.Expressions.cs), following jinja2's
/// grammar and precedence. Errors name the line and column of the offending token.
/// </summary>
public sealed partial class Parser
{
    private static readonly HashSet<string> KnownEndTags =
        ["endif", "endfor", "endmacro", "endcall", "endfilter", "endset", "endwith", "endgeneration", "elif", "else", "endraw", "endblock"];

    private readonly List<Token> _tokens;
    private readonly SourcePosition _positions;
    private int _index;

    private Parser(List<Token> tokens, SourcePosition positions)
    {
        _tokens = tokens;
        _positions = positions;
    }

    /// <summary>Parses normalized source (see <see cref="Lexer.Normalize"/>).</summary>
    public static IReadOnlyList<Node> Parse(string source, TemplateOptions options)
    {
        var parser = new Parser(Lexer.Tokenize(source, options), new SourcePosition(source));
        var body = parser.ParseBody(out var endTag);
        if (endTag is not null)
        {
            throw parser.Error($"Encountered unknown tag '{endTag.Value.Text}'.", endTag.Value);
        }

        return body;
    }

    private Token Current => _tokens[_index];

    private Token Peek(int ahead = 1) => _tokens[Math.Min(_index + ahead, _tokens.Count - 1)];

    private Token Advance() => _tokens[_index++];

    private TemplateSyntaxException Error(string reason, Token at) => _positions.Error(reason, at.Offset);

    private Token Expect(TokenKind kind, string? text = null)
    {
        var token = Current;
        if (token.Kind != kind || (text is not null && token.Text != text))
        {
            var wanted = text ?? kind.ToString().ToLowerInvariant();
            throw Error($"expected '{wanted}', got {Describe(token)}", token);
        }

        _index++;
        return token;
    }

    private static string Describe(Token token) => token.Kind switch
    {
        TokenKind.End => "end of template",
        TokenKind.BlockEnd => "end of statement block",
        TokenKind.VariableEnd => "end of print statement",
        TokenKind.String => "string",
        _ => $"'{token.Text}'",
    };

    private bool SkipOperator(string op)
    {
        if (!Current.IsOperator(op)) return false;
        _index++;
        return true;
    }

    private bool SkipName(string name)
    {
        if (!Current.IsName(name)) return false;
        _index++;
        return true;
    }

    /// <summary>Nodes until the end of input or a block tag this level does not own (returned in <paramref name="endTag"/>,
    /// with the stream left on the tag's name).</summary>
    private List<Node> ParseBody(out Token? endTag, params string[] ends)
    {
        var nodes = new List<Node>();
        while (true)
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.End:
                    endTag = null;
                    return nodes;
                case TokenKind.Data:
                    _index++;
                    nodes.Add(new TextNode(token.Text, token.Offset));
                    break;
                case TokenKind.VariableBegin:
                    _index++;
                    nodes.Add(new PrintNode(ParseTupleOrExpression(), token.Offset));
                    Expect(TokenKind.VariableEnd);
                    break;
                case TokenKind.BlockBegin:
                    var name = Peek();
                    if (name.Kind == TokenKind.Name && (ends.Contains(name.Text) || KnownEndTags.Contains(name.Text)))
                    {
                        _index++;
                        endTag = name;
                        return nodes;
                    }

                    _index++;
                    nodes.Add(ParseStatement());
                    break;
                default:
                    throw Error($"unexpected {Describe(token)}", token);
            }
        }
    }

    /// <summary>A body that must end with one of <paramref name="ends"/>; consumes the end tag's name.</summary>
    private List<Node> ParseBodyUntil(Token opener, out string end, params string[] ends)
    {
        var body = ParseBody(out var endTag, ends);
        if (endTag is null)
        {
            throw Error($"Unexpected end of template. Jinja was looking for the following tags: {string.Join(" or ", ends.Select(e => $"'{e}'"))}. The innermost block that needs to be closed is '{opener.Text}'.", Current);
        }

        if (!ends.Contains(endTag.Value.Text))
        {
            throw Error($"Encountered unknown tag '{endTag.Value.Text}'. Jinja was looking for the following tags: {string.Join(" or ", ends.Select(e => $"'{e}'"))}. The innermost block that needs to be closed is '{opener.Text}'.", endTag.Value);
        }

        _index++;
        end = endTag.Value.Text;
        return body;
    }

    private Node ParseStatement()
    {
        var keyword = Current;
        EnsureStack();
        if (keyword.Kind != TokenKind.Name)
        {
            throw Error("tag name expected", keyword);
        }

        _index++;
        Node node = keyword.Text switch
        {
            "if" => ParseIf(keyword),
            "for" => ParseFor(keyword),
            "set" => ParseSet(keyword),
            "macro" => ParseMacro(keyword),
            "call" => ParseCallBlock(keyword),
            "filter" => ParseFilterBlock(keyword),
            "with" => ParseWith(keyword),
            "generation" => ParseGeneration(keyword),
            "break" => new BreakNode(keyword.Offset),
            "continue" => new ContinueNode(keyword.Offset),
            "do" => new DoNode(ParseTupleOrExpression(), keyword.Offset),
            _ => throw Error($"Encountered unknown tag '{keyword.Text}'.", keyword),
        };
        if (node is BreakNode or ContinueNode or DoNode or SetNode)
        {
            Expect(TokenKind.BlockEnd);
        }

        return node;
    }

    private IfNode ParseIf(Token keyword)
    {
        var branches = new List<KeyValuePair<Expr, IReadOnlyList<Node>>>();
        List<Node>? elseBody = null;
        var condition = ParseExpression();
        while (true)
        {
            Expect(TokenKind.BlockEnd);
            var body = ParseBodyUntil(keyword, out var end, "elif", "else", "endif");
            branches.Add(new(condition, body));
            if (end == "elif")
            {
                condition = ParseExpression();
                continue;
            }

            if (end == "else")
            {
                Expect(TokenKind.BlockEnd);
                elseBody = ParseBodyUntil(keyword, out _, "endif");
            }

            Expect(TokenKind.BlockEnd);
            return new IfNode(branches, elseBody, keyword.Offset);
        }
    }

    private ForNode ParseFor(Token keyword)
    {
        var target = ParseAssignTarget(allowAttribute: false);
        Expect(TokenKind.Name, "in");
        var iterable = ParseTuple(withCondition: false, stopAtRecursive: true);
        Expr? filter = null;
        if (SkipName("if"))
        {
            filter = ParseExpression();
        }

        var recursive = SkipName("recursive");
        Expect(TokenKind.BlockEnd);
        var body = ParseBodyUntil(keyword, out var end, "endfor", "else");
        List<Node>? elseBody = null;
        if (end == "else")
        {
            Expect(TokenKind.BlockEnd);
            elseBody = ParseBodyUntil(keyword, out _, "endfor");
        }

        Expect(TokenKind.BlockEnd);
        return new ForNode(target, iterable, filter, body, elseBody, recursive, keyword.Offset);
    }

    private Node ParseSet(Token keyword)
    {
        var target = ParseAssignTarget(allowAttribute: true);
        if (SkipOperator("="))
        {
            return new SetNode(target, ParseTupleOrExpression(), keyword.Offset);
        }

        var filters = new List<FilterExpr>();
        while (SkipOperator("|"))
        {
            filters.Add(ParseFilterCall(null));
        }

        Expect(TokenKind.BlockEnd);
        var body = ParseBodyUntil(keyword, out _, "endset");
        Expect(TokenKind.BlockEnd);
        return new SetBlockNode(target, body, filters, keyword.Offset);
    }

    private Expr ParseAssignTarget(bool allowAttribute)
    {
        var items = new List<Expr>();
        var start = Current;
        do
        {
            var name = Expect(TokenKind.Name);
            Expr item = new NameExpr(name.Text, name.Offset);
            if (allowAttribute && SkipOperator("."))
            {
                item = new AttributeExpr(item, Expect(TokenKind.Name).Text, name.Offset);
            }

            items.Add(item);
        }
        while (SkipOperator(",") && Current.Kind == TokenKind.Name);

        return items.Count == 1 && !_tokens[_index - 1].IsOperator(",") ? items[0] : new ListExpr(items, true, start.Offset);
    }

    private MacroNode ParseMacro(Token keyword)
    {
        var name = Expect(TokenKind.Name);
        var parameters = ParseParameters();
        Expect(TokenKind.BlockEnd);
        var body = ParseBodyUntil(keyword, out _, "endmacro");
        SkipName(name.Text);
        Expect(TokenKind.BlockEnd);
        return new MacroNode(name.Text, parameters, body, keyword.Offset);
    }

    private List<MacroParameter> ParseParameters()
    {
        var parameters = new List<MacroParameter>();
        Expect(TokenKind.Operator, "(");
        while (!SkipOperator(")"))
        {
            if (parameters.Count > 0) Expect(TokenKind.Operator, ",");
            if (SkipOperator(")")) break;
            var name = Expect(TokenKind.Name).Text;
            parameters.Add(new MacroParameter(name, SkipOperator("=") ? ParseExpression() : null));
        }

        return parameters;
    }

    private CallBlockNode ParseCallBlock(Token keyword)
    {
        var parameters = Current.IsOperator("(") ? ParseParameters() : [];
        var call = ParseExpression() as CallExpr ?? throw Error("expected call", keyword);
        Expect(TokenKind.BlockEnd);
        var body = ParseBodyUntil(keyword, out _, "endcall");
        Expect(TokenKind.BlockEnd);
        return new CallBlockNode(call, parameters, body, keyword.Offset);
    }

    private FilterBlockNode ParseFilterBlock(Token keyword)
    {
        var filters = new List<FilterExpr> { ParseFilterCall(null) };
        while (SkipOperator("|"))
        {
            filters.Add(ParseFilterCall(null));
        }

        Expect(TokenKind.BlockEnd);
        var body = ParseBodyUntil(keyword, out _, "endfilter");
        Expect(TokenKind.BlockEnd);
        return new FilterBlockNode(filters, body, keyword.Offset);
    }

    private WithNode ParseWith(Token keyword)
    {
        var assignments = new List<KeyValuePair<Expr, Expr>>();
        while (Current.Kind != TokenKind.BlockEnd)
        {
            if (assignments.Count > 0) Expect(TokenKind.Operator, ",");
            var target = ParseAssignTarget(allowAttribute: false);
            Expect(TokenKind.Operator, "=");
            assignments.Add(new(target, ParseExpression()));
        }

        Expect(TokenKind.BlockEnd);
        var body = ParseBodyUntil(keyword, out _, "endwith");
        Expect(TokenKind.BlockEnd);
        return new WithNode(assignments, body, keyword.Offset);
    }

    private GenerationNode ParseGeneration(Token keyword)
    {
        Expect(TokenKind.BlockEnd);
        var body = ParseBodyUntil(keyword, out _, "endgeneration");
        Expect(TokenKind.BlockEnd);
        return new GenerationNode(body, keyword.Offset);
    }
}
