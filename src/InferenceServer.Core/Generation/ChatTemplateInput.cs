using System.Text.Json;

namespace InferenceServer.Core.Generation;

/// <summary>Everything a chat template renders: the conversation, the offered tools, whether to open the assistant's
/// turn, and extra template variables (the request's <c>chat_template_kwargs</c>, e.g. <c>enable_thinking</c>).</summary>
public sealed record ChatTemplateInput(IReadOnlyList<ChatMessage> Messages)
{
    public IReadOnlyList<ToolDefinition>? Tools { get; init; }

    public bool AddGenerationPrompt { get; init; } = true;

    public IReadOnlyDictionary<string, JsonElement>? Kwargs { get; init; }
}
