using System.Text.Json;
using InferenceServer.Core.Generation;

namespace InferenceServer.TemplateBench;

/// <summary>The benchmark's input: a 20-message conversation (system prompt, user/assistant turns, two tool-call
/// round trips, non-ASCII text) offering 5 tools.</summary>
internal static class Conversation
{
    public static ChatTemplateInput Build()
    {
        var messages = new List<ChatMessage> { new("system", "You are a careful assistant. Use the tools when they help; answer briefly.") };
        var turn = 0;
        while (messages.Count < 20)
        {
            turn++;
            if (turn % 3 == 0 && messages.Count <= 16)
            {
                messages.Add(new ChatMessage("user", $"What's the weather in Zürich on day {turn}, and what is {turn} + {turn * 2}?"));
                messages.Add(new ChatMessage("assistant", null)
                {
                    ToolCalls =
                    [
                        new ToolCall($"call{turn:D5}a", "get_weather", $$"""{"city": "Zürich", "day": {{turn}}, "unit": "celsius"}"""),
                        new ToolCall($"call{turn:D5}b", "add", $$"""{"a": {{turn}}, "b": {{turn * 2}}}"""),
                    ],
                });
                messages.Add(new ChatMessage("tool", $$"""{"temperature": {{10 + turn}}, "sky": "cloudy"}""") { ToolCallId = $"call{turn:D5}a", Name = "get_weather" });
                messages.Add(new ChatMessage("tool", (turn * 3).ToString(System.Globalization.CultureInfo.InvariantCulture)) { ToolCallId = $"call{turn:D5}b", Name = "add" });
                continue;
            }

            messages.Add(new ChatMessage("user", $"Turn {turn}: please summarise the previous answer in one sentence — merci! 🌍"));
            messages.Add(new ChatMessage("assistant", $"Here is turn {turn}'s summary: the sky is cloudy and the sum is {turn * 3}."));
        }

        messages = messages.Take(19).Append(new ChatMessage("user", "Thanks. And tomorrow?")).ToList();
        return new ChatTemplateInput(messages) { Tools = Tools(), AddGenerationPrompt = true };
    }

    private static List<ToolDefinition> Tools()
    {
        string[] names = ["get_weather", "add", "search_web", "send_email", "create_event"];
        return names.Select((name, i) =>
        {
            var json = """
                {"type": "function", "function": {"name": "NAME", "description": "Tool number INDEX: WORDS.",
                 "parameters": {"type": "object", "properties": {
                   "city": {"type": "string", "description": "A city name"},
                   "day": {"type": "integer", "description": "Day offset"},
                   "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                   "tags": {"type": "array", "items": {"type": "string"}}},
                  "required": ["city"]}}}
                """.Replace("NAME", name, StringComparison.Ordinal).Replace("INDEX", i.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal).Replace("WORDS", name.Replace('_', ' '), StringComparison.Ordinal);
            var declaration = JsonDocument.Parse(json).RootElement.Clone();
            return new ToolDefinition(name, null, declaration.GetProperty("function").GetProperty("parameters"), declaration);
        }).ToList();
    }
}
