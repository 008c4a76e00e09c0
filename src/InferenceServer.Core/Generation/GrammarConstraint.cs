namespace InferenceServer.Core.Generation;

/// <summary>
/// A GBNF grammar (llama.cpp's grammar format) that every generated token must match. With
/// <see cref="LazyTriggers"/> the grammar is lazy: text is free until one of the trigger strings appears in the
/// output, and from the trigger's first character on the grammar applies (the grammar must therefore start with
/// the trigger text). End-of-generation is allowed only where the grammar is complete.
/// </summary>
public sealed record GrammarConstraint(string Gbnf, string Root = "root")
{
    /// <summary>Literal strings that switch a lazy grammar on; empty: the grammar applies from the first token.</summary>
    public IReadOnlyList<string> LazyTriggers { get; init; } = [];

    public bool IsLazy => LazyTriggers.Count > 0;
}
