using System.Text.Json;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;

namespace InferenceServer.OpenAI.Mapping;

/// <summary>The request's <c>tools</c> and an assistant message's <c>tool_calls</c>, read from their JSON into
/// Core records. Malformed entries are a 400 naming the field.</summary>
public static class ToolJson
{
    /// <summary>Each entry must be <c>{"type": "function", "function": {"name": ..., "description"?, "parameters"?}}</c>.</summary>
    public static IReadOnlyList<ToolDefinition>? ToDefinitions(IReadOnlyList<JsonElement>? tools)
    {
        if (tools is null or { Count: 0 })
        {
            return null;
        }

        var result = new List<ToolDefinition>(tools.Count);
        for (var i = 0; i < tools.Count; i++)
        {
            var param = $"tools[{i}]";
            var tool = tools[i];
            if (tool.ValueKind != JsonValueKind.Object)
            {
                throw InferenceException.Invalid($"Invalid type for '{param}': expected an object.", param, "invalid_type");
            }

            if (!tool.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "function")
            {
                throw InferenceException.Invalid($"Invalid value for '{param}.type': only 'function' tools are supported.", $"{param}.type", "invalid_value");
            }

            var function = tool.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object
                ? f
                : throw InferenceException.Invalid($"Missing required parameter: '{param}.function'.", $"{param}.function", "missing_required_parameter");
            var name = RequiredString(function, "name", $"{param}.function.name");
            var description = function.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            JsonElement? parameters = function.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object ? p.Clone() : null;
            result.Add(new ToolDefinition(name, description, parameters, tool.Clone()));
        }

        return result;
    }

    /// <summary>Each call must be <c>{"id"?, "type"?: "function", "function": {"name": ..., "arguments": "&lt;JSON text&gt;"}}</c>;
    /// arguments given as an object (as some clients send) are kept as their JSON text.</summary>
    public static IReadOnlyList<ToolCall>? ToCalls(JsonElement? toolCalls, string param)
    {
        if (toolCalls is not { } calls || calls.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (calls.ValueKind != JsonValueKind.Array)
        {
            throw InferenceException.Invalid($"Invalid type for '{param}': expected an array.", param, "invalid_type");
        }

        var result = new List<ToolCall>();
        var index = 0;
        foreach (var call in calls.EnumerateArray())
        {
            var callParam = $"{param}[{index++}]";
            if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object)
            {
                throw InferenceException.Invalid($"Missing required parameter: '{callParam}.function'.", $"{callParam}.function", "missing_required_parameter");
            }

            var name = RequiredString(function, "name", $"{callParam}.function.name");
            var arguments = function.TryGetProperty("arguments", out var a)
                ? a.ValueKind switch
                {
                    JsonValueKind.String => a.GetString()!,
                    JsonValueKind.Object => a.GetRawText(),
                    _ => throw InferenceException.Invalid($"Invalid type for '{callParam}.function.arguments': expected a string.", $"{callParam}.function.arguments", "invalid_type"),
                }
                : throw InferenceException.Invalid($"Missing required parameter: '{callParam}.function.arguments'.", $"{callParam}.function.arguments", "missing_required_parameter");
            var id = call.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString()! : "";
            result.Add(new ToolCall(id, name, arguments));
        }

        return result;
    }

    private static string RequiredString(JsonElement owner, string property, string param) =>
        owner.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw InferenceException.Invalid($"Missing required parameter: '{param}'.", param, "missing_required_parameter");
}
