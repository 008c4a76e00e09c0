using System.Text.RegularExpressions;
using InferenceServer.Templating;
using InferenceServer.Templating.Runtime;

namespace InferenceServer.Core.Templates;

/// <summary>
/// A configured prompt template ready to render. A field that contains Jinja syntax (<c>{{</c>, <c>{%</c>,
/// <c>{#</c>) is a Jinja template over <c>input</c>, <c>context</c>, <c>examples</c> (a list of
/// <c>{user, assistant}</c>) and <c>system_prompt</c>; any other field keeps the plain <c>{input}</c> and
/// <c>{context}</c> placeholders. Immutable and thread-safe.
/// </summary>
public sealed partial class CompiledPromptTemplate
{
    private readonly Template? _system;
    private readonly Template? _user;
    private readonly DictValue[] _examples;

    private CompiledPromptTemplate(string name, PromptTemplate definition, Template? system, Template? user)
    {
        Name = name;
        Definition = definition;
        _system = system;
        _user = user;
        _examples = definition.Examples.Select(e =>
        {
            var example = new DictValue();
            example.Set("user", new StringValue(e.User));
            example.Set("assistant", new StringValue(e.Assistant));
            return example;
        }).ToArray();
    }

    public string Name { get; }
    public PromptTemplate Definition { get; }

    /// <summary>Compiles the Jinja fields; a syntax error is a <see cref="TemplateSyntaxException"/>.</summary>
    public static CompiledPromptTemplate Compile(string name, PromptTemplate definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return new CompiledPromptTemplate(
            name,
            definition,
            definition.SystemPrompt is { } system && IsJinja(system) ? Template.Parse(system) : null,
            IsJinja(definition.UserTemplate) ? Template.Parse(definition.UserTemplate) : null);
    }

    public static bool IsJinja(string text) =>
        text.Contains("{{", StringComparison.Ordinal) || text.Contains("{%", StringComparison.Ordinal) || text.Contains("{#", StringComparison.Ordinal);

    /// <summary>Whether a Jinja user template mentions the <c>input</c> variable.</summary>
    public static bool MentionsInput(string jinja) => InputName().IsMatch(jinja);

    /// <summary>The system prompt (rendered when it is Jinja), or null when there is none.</summary>
    public string? SystemPrompt(string? context) =>
        _system is null ? Definition.SystemPrompt : Render(_system, "", context);

    /// <summary>The user template around <paramref name="input"/>.</summary>
    public string RenderUser(string input, string? context) =>
        _user is null
            ? Definition.UserTemplate
                .Replace(PromptTemplate.ContextPlaceholder, context ?? "", StringComparison.Ordinal)
                .Replace(PromptTemplate.InputPlaceholder, input, StringComparison.Ordinal)
            : Render(_user, input, context);

    private string Render(Template template, string input, string? context)
    {
        var variables = new Dictionary<string, Value>(StringComparer.Ordinal)
        {
            ["input"] = new StringValue(input),
            ["context"] = new StringValue(context ?? ""),
            ["examples"] = new ListValue([.. _examples]),
            ["system_prompt"] = Value.From(Definition.SystemPrompt),
        };
        try
        {
            return template.Render(variables);
        }
        catch (TemplateException ex)
        {
            throw Errors.InferenceException.Invalid($"Prompt template '{Name}' could not render: {ex.Message}", "prompt_template", "prompt_template_error");
        }
    }

    [GeneratedRegex(@"\binput\b")]
    private static partial Regex InputName();
}
