using System.Text.Json;
using InferenceServer.Core.Generation;

namespace InferenceServer.OpenAI.Tools;

/// <summary>
/// For templates with no tool support (as llama-server's generic format): the whole answer is JSON, either
/// <c>{"tool_calls": [{"name": ..., "arguments": {...}}]}</c> or <c>{"response": "..."}</c>, so auto mode is
/// constrained from the first token; the server describes the tools and this format in a system message.
/// </summary>
public sealed class GenericToolCallFormat : ToolCallFormat
{
    public override string Name => "generic";
    public override IReadOnlyList<string> Triggers { get; } = [];
    protected override int CallDepth => 2;

    public override int SectionStart(string text)
    {
        var trimmed = text.TrimStart();
        return trimmed.StartsWith('{') && trimmed.Contains("\"tool_calls\"", StringComparison.Ordinal) ? text.Length - trimmed.Length : -1;
    }

    public override string SectionRule(string call, bool parallel) =>
        $"\"{{\" space \"\\\"tool_calls\\\"\" space \":\" space \"[\" space {call}{(parallel ? $" (\",\" space {call})*" : "")} \"]\" space \"}}\" space";

    /// <summary>Auto mode: calls, or a plain answer in "response".</summary>
    public static string ResponseRule => "\"{\" space \"\\\"response\\\"\" space \":\" space string \"}\" space";

    public override ParsedToolOutput Parse(string text)
    {
        var parsed = base.Parse(text);
        if (parsed.Calls.Count > 0)
        {
            return parsed with { Content = null };
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("response", out var response) && response.ValueKind == JsonValueKind.String
                ? new ParsedToolOutput(response.GetString(), [])
                : parsed;
        }
        catch (JsonException)
        {
            return parsed;
        }
    }

    /// <summary>Nothing is streamed as content: the answer is JSON until it ends.</summary>
    public override int HeldBack(string text) => text.Length;

    /// <summary>The conversation for a template without tool support: the tools and this format offered in the
    /// (first) system message, earlier calls written as the JSON this format answers with, tool results as tool
    /// turns with text content.</summary>
    public static IReadOnlyList<ChatMessage> Adapt(IReadOnlyList<ChatMessage> messages, IReadOnlyList<ToolDefinition> tools)
    {
        var system = SystemPrompt(tools.Select(t => t.Declaration.GetRawText()));
        var adapted = messages.Select(m => m.ToolCalls is { Count: > 0 } calls
            ? m with
            {
                Content = "{\"tool_calls\": [" + string.Join(", ", calls.Select(c => "{\"name\": " + JsonSerializer.Serialize(c.Name, Json.OpenAiJsonContext.Default.String) + ", \"arguments\": " + c.Arguments + "}")) + "]}",
                ToolCalls = null,
            }
            : m).ToList();
        return adapted.Count > 0 && adapted[0].Role == "system"
            ? [adapted[0] with { Content = adapted[0].Content + "\n\n" + system }, .. adapted.Skip(1)]
            : [new ChatMessage("system", system), .. adapted];
    }

    /// <summary>The system text that offers the tools and this format to a model whose template cannot.</summary>
    public static string SystemPrompt(IEnumerable<string> toolDeclarations) =>
        "You can call these tools:\n" + string.Join("\n", toolDeclarations) +
        "\nTo call tools, answer only with JSON {\"tool_calls\": [{\"name\": <tool name>, \"arguments\": <arguments object>}]}. " +
        "Otherwise answer with JSON {\"response\": <your answer>}.";
}
