namespace InferenceServer.Templating.Lexing;

public enum TokenKind
{
    /// <summary>Literal template text (after whitespace control).</summary>
    Data,
    VariableBegin,
    VariableEnd,
    BlockBegin,
    BlockEnd,
    Name,
    String,
    Integer,
    Float,
    Operator,
    End,
}

/// <summary>One token; <see cref="Offset"/> indexes the (newline-normalized) source for error positions.</summary>
public readonly record struct Token(TokenKind Kind, string Text, int Offset)
{
    public bool Is(TokenKind kind, string text) => Kind == kind && Text == text;

    public bool IsName(string name) => Kind == TokenKind.Name && Text == name;

    public bool IsOperator(string op) => Kind == TokenKind.Operator && Text == op;
}
