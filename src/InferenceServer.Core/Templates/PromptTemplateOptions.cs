namespace InferenceServer.Core.Templates;

/// <summary>The "PromptTemplates" section: named templates a request selects with "prompt_template".</summary>
public sealed class PromptTemplateOptions
{
    public const string SectionName = "PromptTemplates";

    /// <summary>Template name to definition (names compare case-insensitively).</summary>
    public Dictionary<string, PromptTemplate> Templates { get; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>A zero-shot, few-shot or in-context prompt pattern.</summary>
public sealed class PromptTemplate
{
    public const string InputPlaceholder = "{input}";
    public const string ContextPlaceholder = "{context}";

    /// <summary>Optional system prompt put first (unless the request already has a system message); may be Jinja
    /// (see <see cref="CompiledPromptTemplate"/>).</summary>
    public string? SystemPrompt { get; set; }
    /// <summary>Few-shot examples: user inputs (rendered through <see cref="UserTemplate"/>) and assistant answers.</summary>
    public List<PromptExample> Examples { get; set; } = [];
    /// <summary>Wraps the user's input; must contain "{input}", may contain "{context}"; or Jinja that uses
    /// <c>input</c> (and may use <c>context</c>, <c>examples</c>, <c>system_prompt</c>).</summary>
    public string UserTemplate { get; set; } = InputPlaceholder;
}

public sealed class PromptExample
{
    public string User { get; set; } = "";
    public string Assistant { get; set; } = "";
}
