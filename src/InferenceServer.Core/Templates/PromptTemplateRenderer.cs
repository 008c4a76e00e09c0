using InferenceServer.Core.Generation;

namespace InferenceServer.Core.Templates;

/// <summary>Applies a <see cref="CompiledPromptTemplate"/> to a conversation (chat) or to a raw prompt (completions). Pure.</summary>
public static class PromptTemplateRenderer
{
    /// <summary>Configuration problems of one template, or empty.</summary>
    public static IEnumerable<string> Validate(string name, PromptTemplate template)
    {
        var user = template.UserTemplate ?? "";
        if (CompiledPromptTemplate.IsJinja(user) ? !CompiledPromptTemplate.MentionsInput(user) : !user.Contains(PromptTemplate.InputPlaceholder, StringComparison.Ordinal))
        {
            yield return $"PromptTemplates:{name}:UserTemplate must contain {PromptTemplate.InputPlaceholder} (or use {{{{ input }}}} in Jinja).";
        }

        foreach (var (field, text) in new[] { ("SystemPrompt", template.SystemPrompt), ("UserTemplate", template.UserTemplate) })
        {
            if (text is not null && CompiledPromptTemplate.IsJinja(text) && SyntaxError(text) is { } error)
            {
                yield return $"PromptTemplates:{name}:{field} is not valid Jinja: {error}";
            }
        }

        for (var i = 0; i < template.Examples.Count; i++)
        {
            if (string.IsNullOrEmpty(template.Examples[i].User) || string.IsNullOrEmpty(template.Examples[i].Assistant))
            {
                yield return $"PromptTemplates:{name}:Examples:{i} needs both User and Assistant.";
            }
        }
    }

    private static string? SyntaxError(string source)
    {
        try
        {
            InferenceServer.Templating.Template.Parse(source);
            return null;
        }
        catch (InferenceServer.Templating.TemplateSyntaxException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>
    /// System prompt first (kept from the request when it has one), then the few-shot examples as user/assistant
    /// turns after the leading system messages, then the conversation with its last user message wrapped in the
    /// user template.
    /// </summary>
    public static IReadOnlyList<ChatMessage> ApplyToChat(CompiledPromptTemplate template, IReadOnlyList<ChatMessage> messages, string? context)
    {
        var lastUser = -1;
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            if (messages[i].Role == "user")
            {
                lastUser = i;
                break;
            }
        }

        var leadingSystem = 0;
        while (leadingSystem < messages.Count && messages[leadingSystem].Role is "system" or "developer")
        {
            leadingSystem++;
        }

        var examples = template.Definition.Examples;
        var result = new List<ChatMessage>(messages.Count + examples.Count * 2 + 1);
        if (leadingSystem == 0 && template.SystemPrompt(context) is { Length: > 0 } systemPrompt)
        {
            result.Add(new ChatMessage("system", systemPrompt));
        }

        result.AddRange(messages.Take(leadingSystem));
        foreach (var example in examples)
        {
            result.Add(new ChatMessage("user", template.RenderUser(example.User, context)));
            result.Add(new ChatMessage("assistant", example.Assistant));
        }

        for (var i = leadingSystem; i < messages.Count; i++)
        {
            result.Add(i == lastUser ? messages[i] with { Content = template.RenderUser(messages[i].Content ?? "", context) } : messages[i]);
        }

        return result;
    }

    /// <summary>A plain-text prompt: system prompt, examples (rendered input, newline, answer), then the input.</summary>
    public static string ApplyToText(CompiledPromptTemplate template, string input, string? context)
    {
        var parts = new List<string>();
        if (template.SystemPrompt(context) is { Length: > 0 } systemPrompt)
        {
            parts.Add(systemPrompt);
        }

        foreach (var example in template.Definition.Examples)
        {
            parts.Add(template.RenderUser(example.User, context) + "\n" + example.Assistant);
        }

        parts.Add(template.RenderUser(input, context));
        return string.Join("\n\n", parts);
    }
}
