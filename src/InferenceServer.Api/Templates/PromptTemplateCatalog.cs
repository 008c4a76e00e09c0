using InferenceServer.Core.Errors;
using InferenceServer.Core.Templates;
using Microsoft.Extensions.Options;

namespace InferenceServer.Api.Templates;

/// <summary>The configured prompt templates, looked up by the "prompt_template" request field.</summary>
public sealed class PromptTemplateCatalog(IOptions<PromptTemplateOptions> options)
{
    public IReadOnlyDictionary<string, PromptTemplate> All => options.Value.Templates;

    /// <summary>Null when <paramref name="name"/> is null; 400 (param prompt_template) when it is unknown.</summary>
    public PromptTemplate? Find(string? name)
    {
        if (name is null)
        {
            return null;
        }

        return options.Value.Templates.TryGetValue(name, out var template)
            ? template
            : throw InferenceException.Invalid(
                $"Unknown prompt template '{name}'. Available: {string.Join(", ", options.Value.Templates.Keys.Select(k => $"'{k}'"))}.",
                "prompt_template",
                "invalid_value");
    }
}
