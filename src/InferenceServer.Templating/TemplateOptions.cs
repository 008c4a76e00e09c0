namespace InferenceServer.Templating;

/// <summary>How a template is lexed and the sandbox limits it renders under. The defaults are Hugging Face
/// transformers' chat-template settings (<c>trim_blocks</c> and <c>lstrip_blocks</c> on).</summary>
public sealed record TemplateOptions
{
    /// <summary>The options transformers uses for chat templates.</summary>
    public static TemplateOptions ChatTemplate { get; } = new();

    /// <summary>Remove the first newline after a block tag (<c>%}</c>) or comment.</summary>
    public bool TrimBlocks { get; init; } = true;
    /// <summary>Strip spaces and tabs from the start of a line up to a block tag or comment.</summary>
    public bool LStripBlocks { get; init; } = true;
    /// <summary>Keep a single trailing newline of the source (jinja2's keep_trailing_newline; off by default).</summary>
    public bool KeepTrailingNewline { get; init; }
    /// <summary>Most characters one render may produce.</summary>
    public int MaxOutputChars { get; init; } = 4 * 1024 * 1024;
    /// <summary>Most loop iterations (all loops together) in one render.</summary>
    public long MaxLoopIterations { get; init; } = 1_000_000;
    /// <summary>Deepest macro/call nesting.</summary>
    public int MaxRecursionDepth { get; init; } = 64;
}
