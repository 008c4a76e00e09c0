using System.Text.Json;
using System.Text.Json.Nodes;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;
using InferenceServer.Core.Grammar;
using InferenceServer.OpenAI.Mapping;

namespace InferenceServer.OpenAI.Tools;

/// <summary>How a request's tool calls are produced and read: the family's format, the grammar (null: free text),
/// and whether the output is parsed for calls.</summary>
public sealed record ToolCallPlan(ToolCallFormat Format, GrammarConstraint? Grammar, IReadOnlyList<ToolDefinition> Tools);

/// <summary>
/// tool_choice to a plan: "none" renders the tools but neither constrains nor parses; "auto" lets the model write
/// text or open a call (a lazy grammar triggered by the family's marker; for the generic format the answer is
/// constrained JSON from the start); "required" and a named function force one call (several with
/// parallel_tool_calls) whose arguments follow the tool's parameter schema.
/// </summary>
public static class ToolCallPlanner
{
    public static ToolCallPlan? Plan(IReadOnlyList<ToolDefinition>? tools, JsonElement? toolChoice, bool? parallelToolCalls, string? templateSource)
    {
        var choice = toolChoice is { ValueKind: not JsonValueKind.Null } c ? c : (JsonElement?)null;
        if (tools is null or { Count: 0 })
        {
            if (choice is not null && !(choice.Value.ValueKind == JsonValueKind.String && choice.Value.GetString() == "none"))
            {
                throw InferenceException.Invalid("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", "tool_choice", "invalid_value");
            }

            return null;
        }

        var (mode, named) = ReadChoice(choice, tools);
        if (mode == "none")
        {
            return null;
        }

        var format = ToolCallFormats.Detect(templateSource);
        var offered = named is null ? tools : tools.Where(t => t.Name == named).ToList();
        var parallel = parallelToolCalls != false && named is null;
        var rules = new Dictionary<string, string>(JsonSchemaGrammar.PrimitiveRules(JsonGrammarRules.Space, "string"), StringComparer.Ordinal);
        var callNames = new List<string>();
        for (var i = 0; i < tools.Count; i++)
        {
            if (!offered.Contains(tools[i]))
            {
                continue;
            }

            var (root, toolRules) = ToolRules(tools[i], i);
            foreach (var (name, body) in toolRules)
            {
                rules[name] = body;
            }

            var call = $"call-{i}";
            rules[call] = format.CallRule(tools[i].Name, root);
            callNames.Add(call);
        }

        rules["call"] = string.Join(" | ", callNames);
        var section = format.SectionRule("call", parallel);
        rules[JsonSchemaGrammar.RootRule] = mode == "auto" && format is GenericToolCallFormat ? $"{section} | {GenericToolCallFormat.ResponseRule}" : section;
        var gbnf = JsonSchemaGrammar.Render(rules);
        var grammar = mode == "auto" && format.Triggers.Count > 0
            ? new GrammarConstraint(gbnf) { LazyTriggers = format.Triggers }
            : new GrammarConstraint(gbnf);
        return new ToolCallPlan(format, grammar, tools);
    }

    private static (string Mode, string? Named) ReadChoice(JsonElement? choice, IReadOnlyList<ToolDefinition> tools)
    {
        switch (choice)
        {
            case null:
                return ("auto", null);
            case { ValueKind: JsonValueKind.String } s when s.GetString() is "none" or "auto" or "required":
                return (s.GetString()!, null);
            case { ValueKind: JsonValueKind.String } s:
                throw InferenceException.Invalid($"Invalid value for 'tool_choice': '{s.GetString()}'. Supported values are: 'none', 'auto', 'required', or an object naming a function.", "tool_choice", "invalid_value");
            case { ValueKind: JsonValueKind.Object } o:
                var type = o.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                if (type != "function")
                {
                    throw InferenceException.Invalid($"Invalid value for 'tool_choice.type': '{type}'. Only 'function' is supported.", "tool_choice.type", "invalid_value");
                }

                var name = o.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object && f.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String
                    ? n.GetString()!
                    : throw InferenceException.Invalid("Missing required parameter: 'tool_choice.function.name'.", "tool_choice.function.name", "missing_required_parameter");
                if (tools.All(tool => tool.Name != name))
                {
                    throw InferenceException.Invalid($"Invalid value for 'tool_choice': no function named '{name}' is in 'tools'.", "tool_choice", "invalid_value");
                }

                return ("named", name);
            default:
                throw InferenceException.Invalid("Invalid type for 'tool_choice': expected a string or an object.", "tool_choice", "invalid_type");
        }
    }

    private static (string Root, IReadOnlyDictionary<string, string> Rules) ToolRules(ToolDefinition tool, int index)
    {
        var schema = tool.Parameters is { } p ? JsonNode.Parse(p.GetRawText()) : new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() };
        try
        {
            return JsonSchemaGrammar.Rules(schema, $"tool{index}");
        }
        catch (SchemaException ex)
        {
            throw InferenceException.Invalid($"Invalid schema for function '{tool.Name}': {ex.Message} (at '{ex.Location}').", $"tools[{index}].function.parameters",
                ex.Keyword is null ? "invalid_json_schema" : "unsupported_schema_keyword");
        }
    }
}
