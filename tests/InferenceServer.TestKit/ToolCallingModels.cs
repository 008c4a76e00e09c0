using InferenceServer.ModelTools.Models;

namespace InferenceServer.TestKit;

/// <summary>The call-format families a scripted tool-calling model can speak.</summary>
public enum ToolFamily
{
    Hermes,
    Llama3,
    Mistral,
    Generic,
}

/// <summary>
/// Scripted models that write one family's tool-call text for <c>get_weather({"city": "Paris"})</c>, each with a
/// small chat template of that family written for these tests (it renders tools, assistant tool calls and tool
/// results). After a tool result (the template then ends the prompt with &lt;|im_end|&gt;, the alternate trigger) they
/// answer <see cref="Answer"/> instead. The Hermes script starts with <see cref="HermesPreamble"/> (text before the call).
/// </summary>
public static class ToolCallingModels
{
    public const string Function = "get_weather";
    public const string Arguments = "{\"city\": \"Paris\"}";
    public const string HermesPreamble = "Let me check.";
    public const string Answer = "It is sunny in Paris.";

    public static string Path(ToolFamily family) => TestModels.GetOrCreate($"tool-caller-{family}-v2", path =>
    {
        // The generic format answers in JSON too: {"response": "..."}.
        string[] answer = family == ToolFamily.Generic
            ? ["{\"response\": \"", "It is", " sunny", " in Paris.", "\"}"]
            : ["It is", " sunny", " in Paris."];
        var (spec, vocabulary, weights) = ScriptedModelFactory.CreateFromPieces(Script(family), "<|im_end|>", answer);
        LlamaGgufFile.Write(path, spec, vocabulary, weights, Template(family));
    });

    /// <summary>The exact text the model writes when it calls the tool.</summary>
    public static string CallText(ToolFamily family) => string.Concat(Script(family));

    private static string[] Script(ToolFamily family) => family switch
    {
        ToolFamily.Hermes => ["Let me", " check", ".\n", "<tool_call>", "\n{\"name\": \"", Function, "\", \"arguments\": ", "{\"city\": ", "\"Paris\"", "}}", "\n</tool_call>"],
        ToolFamily.Llama3 => ["{\"name\"", ": \"", Function, "\", \"parameters\": ", "{\"city\": ", "\"Paris\"", "}}"],
        ToolFamily.Mistral => ["[TOOL_CALLS]", "[{\"name\": \"", Function, "\", \"arguments\": ", "{\"city\": ", "\"Paris\"", "}}]"],
        _ => ["{\"tool_calls\": [", "{\"name\": \"", Function, "\", \"arguments\": ", "{\"city\": ", "\"Paris\"", "}}", "]}"],
    };

    private const string Messages =
        "{%- for message in messages %}" +
        "{%- if message.role == 'assistant' and message.tool_calls %}<|im_start|>assistant\n{{ message.content or '' }}" +
        "{%- for call in message.tool_calls %}CALL_OPEN{\"name\": \"{{ call.function.name }}\", \"ARGS\": {{ call.function.arguments | tojson }}}CALL_CLOSE{% endfor %}<|im_end|>\n" +
        "{%- elif message.role == 'tool' %}<|im_start|>user\n<tool_response>{{ message.content }}</tool_response><|im_end|>\n" +
        "{%- else %}<|im_start|>{{ message.role }}\n{{ message.content }}<|im_end|>\n{%- endif %}{%- endfor %}" +
        "{%- if add_generation_prompt %}<|im_start|>assistant\n{% if messages[-1].role == 'tool' %}<|im_end|>{% endif %}{% endif %}";

    private const string ToolsBlock =
        "{%- if tools %}<|im_start|>system\nTools:{% for tool in tools %}\n{{ tool | tojson }}{% endfor %}\nHOW<|im_end|>\n{% endif %}";

    /// <summary>A family's test template: ChatML turns, tools in a system turn, calls written the family's way.</summary>
    public static string? Template(ToolFamily family) => family switch
    {
        ToolFamily.Hermes => ToolsBlock.Replace("HOW", "Call a tool as <tool_call>{\"name\": ..., \"arguments\": ...}</tool_call>", StringComparison.Ordinal)
            + Messages.Replace("CALL_OPEN", "<tool_call>\n", StringComparison.Ordinal).Replace("CALL_CLOSE", "\n</tool_call>", StringComparison.Ordinal).Replace("ARGS", "arguments", StringComparison.Ordinal),
        ToolFamily.Llama3 => ToolsBlock.Replace("HOW", "<|start_header_id|>ipython<|end_header_id|> Call a tool as {\"name\": ..., \"parameters\": ...}", StringComparison.Ordinal)
            + Messages.Replace("CALL_OPEN", "", StringComparison.Ordinal).Replace("CALL_CLOSE", "", StringComparison.Ordinal).Replace("ARGS", "parameters", StringComparison.Ordinal),
        ToolFamily.Mistral => ToolsBlock.Replace("HOW", "Call tools as [TOOL_CALLS][{\"name\": ..., \"arguments\": ...}]", StringComparison.Ordinal)
            + Messages.Replace("CALL_OPEN", "[TOOL_CALLS][", StringComparison.Ordinal).Replace("CALL_CLOSE", "]", StringComparison.Ordinal).Replace("ARGS", "arguments", StringComparison.Ordinal),
        _ => Messages.Replace("CALL_OPEN", "", StringComparison.Ordinal).Replace("CALL_CLOSE", "", StringComparison.Ordinal).Replace("ARGS", "arguments", StringComparison.Ordinal)
            .Replace("{%- if message.role == 'assistant' and message.tool_calls %}", "{%- if false %}", StringComparison.Ordinal).Replace("and message.tool_calls", "", StringComparison.Ordinal),
    };
}
