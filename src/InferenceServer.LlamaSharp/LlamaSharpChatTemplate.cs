using System.Text;
using InferenceServer.Core.Engine;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;
using LLama;
using LLama.Exceptions;
using LLama.Native;

namespace InferenceServer.LlamaSharp;

/// <summary>
/// Renders chat messages with llama.cpp's <c>llama_chat_apply_template</c> (built-in template families matched by
/// name or pattern; not a Jinja engine). The template is the configured override, else the model's
/// <c>tokenizer.chat_template</c>, else chatml. Thread-safe: every call builds its own <see cref="LLamaTemplate"/>.
/// </summary>
public sealed class LlamaSharpChatTemplate : IChatTemplate
{
    /// <summary>The template used when the model has none and none is configured.</summary>
    public const string DefaultTemplate = "chatml";

    private readonly string _template;

    private LlamaSharpChatTemplate(string template, string name)
    {
        _template = template;
        Name = name;
    }

    /// <summary>The configured built-in name (e.g. "chatml"), "custom" for a configured template string,
    /// "gguf" for the model's own template, or "chatml" as the fallback.</summary>
    public string Name { get; }

    /// <summary>The template text or built-in name handed to llama.cpp.</summary>
    public string Template => _template;

    /// <summary>Picks the template and checks that llama.cpp recognises it; throws a clear
    /// <see cref="InferenceException"/> at load time when it does not.</summary>
    internal static LlamaSharpChatTemplate Create(SafeLlamaModelHandle model, string? configured, string modelPath)
    {
        LlamaSharpChatTemplate template;
        string source;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var isName = configured.Length <= 64 && !configured.Contains('\n') && !configured.Contains("{%", StringComparison.Ordinal);
            template = new LlamaSharpChatTemplate(configured, isName ? configured.Trim() : "custom");
            source = $"Model:ChatTemplate '{Shorten(configured)}'";
        }
        else if (model.GetTemplate(null, strict: false) is { Length: > 0 } embedded)
        {
            template = new LlamaSharpChatTemplate(embedded, "gguf");
            source = $"the tokenizer.chat_template of '{modelPath}'";
        }
        else
        {
            template = new LlamaSharpChatTemplate(DefaultTemplate, DefaultTemplate);
            source = "the default chatml template";
        }

        try
        {
            template.Apply([new ChatMessage("system", "s"), new ChatMessage("user", "u")], addGenerationPrompt: true);
        }
        catch (MissingTemplateException ex)
        {
            throw new InferenceException(InferenceErrorKind.Internal,
                $"Chat template from {source} is not one llama.cpp recognises; set Model:ChatTemplate to a built-in name such as chatml, llama3 or mistral-v7.",
                inner: ex);
        }

        return template;
    }

    public string Apply(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var native = new LLamaTemplate(_template) { AddAssistant = addGenerationPrompt };
        foreach (var message in messages)
        {
            native.Add(MapRole(message.Role), message.Content ?? string.Empty);
        }

        return Encoding.UTF8.GetString(native.Apply());
    }

    /// <summary>"developer" (OpenAI's newer name for system) becomes "system"; other roles pass through.</summary>
    internal static string MapRole(string role) =>
        string.Equals(role, "developer", StringComparison.OrdinalIgnoreCase) ? "system" : role;

    private static string Shorten(string text)
    {
        var flat = text.ReplaceLineEndings(" ");
        return flat.Length <= 60 ? flat : flat[..57] + "...";
    }
}
