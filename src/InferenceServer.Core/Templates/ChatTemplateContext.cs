using System.Text.Json;
using InferenceServer.Core.Generation;
using InferenceServer.Templating.Runtime;

namespace InferenceServer.Core.Templates;

/// <summary>
/// The variables a chat template renders with, as Hugging Face transformers passes them to
/// <c>apply_chat_template</c>: <c>messages</c> (OpenAI-shaped dicts; tool-call arguments parsed from their JSON
/// text into objects), <c>tools</c> (the declarations as sent, or None), <c>documents</c> (None),
/// <c>add_generation_prompt</c>, <c>bos_token</c>, <c>eos_token</c>, then the request's <c>chat_template_kwargs</c>.
/// </summary>
public static class ChatTemplateContext
{
    public static Dictionary<string, Value> Build(ChatTemplateInput input, string bosToken, string eosToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var variables = new Dictionary<string, Value>(StringComparer.Ordinal)
        {
            ["messages"] = new ListValue(input.Messages.Select(Message).ToList()),
            ["tools"] = input.Tools is { Count: > 0 } tools
                ? new ListValue(tools.Select(t => ValueConverter.FromJson(t.Declaration)).ToList())
                : NoneValue.Instance,
            ["documents"] = NoneValue.Instance,
            ["add_generation_prompt"] = Value.From(input.AddGenerationPrompt),
            ["bos_token"] = new StringValue(bosToken),
            ["eos_token"] = new StringValue(eosToken),
        };
        if (input.Kwargs is not null)
        {
            foreach (var (key, value) in input.Kwargs)
            {
                variables[key] = ValueConverter.FromJson(value);
            }
        }

        return variables;
    }

    private static Value Message(ChatMessage message)
    {
        var dict = new DictValue();
        dict.Set("role", new StringValue(message.Role));
        dict.Set("content", Value.From(message.Content));
        if (message.Name is not null) dict.Set("name", new StringValue(message.Name));
        if (message.ReasoningContent is not null) dict.Set("reasoning_content", new StringValue(message.ReasoningContent));
        if (message.ToolCalls is { Count: > 0 } calls) dict.Set("tool_calls", new ListValue(calls.Select(Call).ToList()));
        if (message.ToolCallId is not null) dict.Set("tool_call_id", new StringValue(message.ToolCallId));
        return dict;
    }

    private static Value Call(ToolCall call)
    {
        var function = new DictValue();
        function.Set("name", new StringValue(call.Name));
        function.Set("arguments", Arguments(call.Arguments));
        var dict = new DictValue();
        dict.Set("id", new StringValue(call.Id));
        dict.Set("type", new StringValue(call.Type));
        dict.Set("function", function);
        return dict;
    }

    /// <summary>The arguments as an object when they are JSON (as transformers expects), else the text unchanged.</summary>
    private static Value Arguments(string arguments)
    {
        try
        {
            using var document = JsonDocument.Parse(arguments);
            return ValueConverter.FromJson(document.RootElement);
        }
        catch (JsonException)
        {
            return new StringValue(arguments);
        }
    }
}
