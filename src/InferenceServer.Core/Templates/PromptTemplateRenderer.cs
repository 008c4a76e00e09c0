using InferenceServer.Core.Generation;

namespace InferenceServer.Core.Templates;

/// <summary>Applies a <see cref="PromptTemplate"/> to a conversation (chat) or to a raw prompt (completions). Pure.</summary>
public static class PromptTemplateRenderer
{
    /// <summary>Configuration problems of one template, or empty.</summary>
    public static IEnumerable<string> Validate(string name, PromptTemplate template)
    {
        if (string.IsNullOrWhiteSpace(template.UserTemplate) || !template.UserTemplate.Contains(PromptTemplate.InputPlaceholder, StringComparison.Ordinal))
        {
            yield return $"PromptTemplates:{name}:UserTemplate must contain {PromptTemplate.InputPlaceholder}.";
        }

        for (var i = 0; i < template.Examples.Count; i++)
        {
            if (string.IsNullOrEmpty(template.Examples[i].User) || string.IsNullOrEmpty(template.Examples[i].Assistant))
            {
                yield return $"PromptTemplates:{name}:Examples:{i} needs both User and Assistant.";
            }
        }
    }

    /// <summary>The user template with {input} and {context} substituted.</summary>
    public static string RenderUser(PromptTemplate template, string input, string? context) =>
        template.UserTemplate
            .Replace(PromptTemplate.ContextPlaceholder, context ?? "", StringComparison.Ordinal)
            .Replace(PromptTemplate.InputPlaceholder, input, StringComparison.Ordinal);

    /// <summary>
    /// System prompt first (kept from the request when it has one), then the few-shot examples as user/assistant
    /// turns after the leading system messages, then the conversation with its last user message wrapped in the
    /// user template.
    /// </summary>
    public static IReadOnlyList<ChatMessage> ApplyToChat(PromptTemplate template, IReadOnlyList<ChatMessage> messages, string? context)
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

        var result = new List<ChatMessage>(messages.Count + template.Examples.Count * 2 + 1);
        if (leadingSystem == 0 && !string.IsNullOrEmpty(template.SystemPrompt))
        {
            result.Add(new ChatMessage("system", template.SystemPrompt));
        }

        result.AddRange(messages.Take(leadingSystem));
        foreach (var example in template.Examples)
        {
            result.Add(new ChatMessage("user", RenderUser(template, example.User, context)));
            result.Add(new ChatMessage("assistant", example.Assistant));
        }

        for (var i = leadingSystem; i < messages.Count; i++)
        {
            result.Add(i == lastUser ? messages[i] with { Content = RenderUser(template, messages[i].Content, context) } : messages[i]);
        }

        return result;
    }

    /// <summary>A plain-text prompt: system prompt, examples (rendered input, newline, answer), then the input.</summary>
    public static string ApplyToText(PromptTemplate template, string input, string? context)
    {
        var parts = new List<string>();
        if (!string.IsNullOrEmpty(template.SystemPrompt))
        {
            parts.Add(template.SystemPrompt);
        }

        foreach (var example in template.Examples)
        {
            parts.Add(RenderUser(template, example.User, context) + "\n" + example.Assistant);
        }

        parts.Add(RenderUser(template, input, context));
        return string.Join("\n\n", parts);
    }
}
