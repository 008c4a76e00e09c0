using System.Text;
using InferenceServer.Core.Engine;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;
using LLama;
using LLama.Exceptions;
using LLama.Native;

namespace InferenceServer.LlamaSharp;

/// <summary>
/// Renders chat messages with llama.cpp's <c>llama_chat_apply_template</c> by built-in name (chatml, llama3, ...):
/// used for a configured built-in name and for a model that carries no template (chatml). Jinja templates go to
/// Core's <see cref="Core.Templates.JinjaChatTemplate"/>. Thread-safe: every call builds its own <see cref="LLamaTemplate"/>.
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

    /// <summary>The built-in name (e.g. "chatml", the fallback for a model without a template).</summary>
    public string Name { get; }

    /// <summary>The built-in name handed to llama.cpp.</summary>
    public string Template => _template;

    /// <summary>A llama.cpp built-in template by name, checked once (an unknown name throws a clear
    /// <see cref="InferenceException"/> at load time naming <paramref name="source"/>).</summary>
    internal static LlamaSharpChatTemplate CreateBuiltIn(string template, string name, string source, string bosToken, string eosToken)
    {
        var result = new LlamaSharpChatTemplate(template, name) { BosToken = bosToken, EosToken = eosToken };
        try
        {
            ((IChatTemplate)result).Apply([new ChatMessage("system", "s"), new ChatMessage("user", "u")], addGenerationPrompt: true);
        }
        catch (MissingTemplateException ex)
        {
            throw new InferenceException(InferenceErrorKind.Internal,
                $"Chat template from {source} is not one llama.cpp recognises; set Model:ChatTemplate to a built-in name such as chatml, llama3 or mistral-v7, or to Jinja source.",
                inner: ex);
        }

        return result;
    }

    public string BosToken { get; private init; } = "";
    public string EosToken { get; private init; } = "";

    /// <summary>Roles and text only: llama.cpp's built-ins cannot render tools or tool calls (a tool call's turn
    /// renders its text content).</summary>
    public string Render(ChatTemplateInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var native = new LLamaTemplate(_template) { AddAssistant = input.AddGenerationPrompt };
        foreach (var message in input.Messages)
        {
            native.Add(MapRole(message.Role), message.Content ?? string.Empty);
        }

        return Encoding.UTF8.GetString(native.Apply());
    }

    /// <summary>"developer" (OpenAI's newer name for system) becomes "system"; other roles pass through.</summary>
    internal static string MapRole(string role) =>
        string.Equals(role, "developer", StringComparison.OrdinalIgnoreCase) ? "system" : role;

}
