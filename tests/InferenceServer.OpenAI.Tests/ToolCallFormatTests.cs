using System.Text.Json;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;
using InferenceServer.OpenAI.Tools;

namespace InferenceServer.OpenAI.Tests;

/// <summary>The per-family parsers, the streaming splitter and tool_choice planning, as pure code.</summary>
public sealed class ToolCallFormatTests
{
    public static TheoryData<string, string, string?, string[], string[]> Outputs => new()
    {
        { "hermes", "Sure.\n<tool_call>\n{\"name\": \"a\", \"arguments\": {\"x\": [1, {\"y\": \"}\"}]}}\n</tool_call>\n<tool_call>\n{\"name\": \"b\", \"arguments\": {}}\n</tool_call>",
            "Sure.", ["a", "b"], ["{\"x\": [1, {\"y\": \"}\"}]}", "{}"] },
        { "llama3", "{\"name\": \"a\", \"parameters\": {\"q\": \"name\"}}; {\"name\": \"b\", \"parameters\": {\"n\": 2}}", null, ["a", "b"], ["{\"q\": \"name\"}", "{\"n\": 2}"] },
        { "mistral", "[TOOL_CALLS][{\"name\": \"a\", \"arguments\": {\"name\": \"x\"}}, {\"name\": \"b\", \"arguments\": {\"k\": true}}]", null, ["a", "b"], ["{\"name\": \"x\"}", "{\"k\": true}"] },
        { "mistral", "[{\"name\": \"a\", \"arguments\": {}}]", null, ["a"], ["{}"] },
        { "generic", "{\"tool_calls\": [{\"name\": \"a\", \"arguments\": {\"s\": \"[\\\"\"}}]}", null, ["a"], ["{\"s\": \"[\\\"\"}"] },
        { "generic", "{\"response\": \"Hello \\\"you\\\"\"}", "Hello \"you\"", [], [] },
        { "hermes", "No call here, just <tool text.", "No call here, just <tool text.", [], [] },
    };

    [Theory]
    [MemberData(nameof(Outputs))]
    public void Parse_splits_content_and_calls(string family, string text, string? content, string[] names, string[] arguments)
    {
        var parsed = Format(family).Parse(text);

        Assert.Equal(content, parsed.Content);
        Assert.Equal(names, parsed.Calls.Select(c => c.Name));
        Assert.Equal(arguments, parsed.Calls.Select(c => c.Arguments));
    }

    [Theory]
    [MemberData(nameof(Outputs))]
    public void Streaming_in_any_chunk_size_gives_what_parse_gives(string family, string text, string? content, string[] names, string[] arguments)
    {
        for (var size = 1; size <= 7; size++)
        {
            var stream = new ToolCallStream(Format(family));
            var events = new List<ToolStreamEvent>();
            for (var i = 0; i < text.Length; i += size)
            {
                events.AddRange(stream.Add(text.Substring(i, Math.Min(size, text.Length - i))));
            }

            events.AddRange(stream.Finish());

            var streamedContent = string.Concat(events.OfType<ContentEvent>().Select(e => e.Text));
            Assert.Equal(content ?? "", streamedContent);
            Assert.Equal(names, events.OfType<CallStartEvent>().Select(e => e.Name));
            Assert.Equal(arguments, names.Select((_, index) => string.Concat(events.OfType<CallArgumentsEvent>().Where(e => e.Index == index).Select(e => e.Fragment))));
            // A call's start always comes before its arguments.
            foreach (var (start, index) in events.OfType<CallStartEvent>().Select(e => (events.IndexOf(e), e.Index)))
            {
                Assert.All(events.OfType<CallArgumentsEvent>().Where(e => e.Index == index), e => Assert.True(events.IndexOf(e) > start));
            }
        }
    }

    [Theory]
    [InlineData(null, "generic")]
    [InlineData("{{ messages }}", "generic")]
    [InlineData("{% if tools %}<tool_call>{% endif %}", "hermes")]
    [InlineData("[TOOL_CALLS]", "mistral")]
    [InlineData("<|start_header_id|>{% if tools %}{% endif %}", "llama3")]
    public void The_format_comes_from_the_template(string? template, string family)
    {
        Assert.Equal(family, ToolCallFormats.Detect(template).Name);
    }

    private const string Tool = """{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"a":{"type":"integer"}}}}}""";

    [Fact]
    public void Auto_is_lazy_on_the_family_marker_required_is_not_none_plans_nothing()
    {
        var tools = Tools(Tool);
        const string hermes = "<tool_call>";

        var auto = ToolCallPlanner.Plan(tools, null, null, hermes)!;
        var required = ToolCallPlanner.Plan(tools, Json("\"required\""), null, hermes)!;

        Assert.Equal(["<tool_call>"], auto.Grammar!.LazyTriggers);
        Assert.False(required.Grammar!.IsLazy);
        Assert.Contains("call-0", required.Grammar.Gbnf, StringComparison.Ordinal);
        Assert.Null(ToolCallPlanner.Plan(tools, Json("\"none\""), null, hermes));
        Assert.False(ToolCallPlanner.Plan(tools, null, null, null)!.Grammar!.IsLazy); // generic: constrained from the start
    }

    [Theory]
    [InlineData("{\"type\":\"function\",\"function\":{\"name\":\"g\"}}", "tool_choice")]
    [InlineData("\"sometimes\"", "tool_choice")]
    [InlineData("{\"type\":\"custom\"}", "tool_choice.type")]
    public void Bad_tool_choices_are_400s(string choice, string param)
    {
        var ex = Assert.Throws<InferenceException>(() => ToolCallPlanner.Plan(Tools(Tool), Json(choice), null, null));

        Assert.Equal(InferenceErrorKind.InvalidRequest, ex.Kind);
        Assert.Equal(param, ex.Param);
    }

    [Fact]
    public void Tool_choice_without_tools_and_unsupported_parameter_schemas_are_400s()
    {
        var noTools = Assert.Throws<InferenceException>(() => ToolCallPlanner.Plan(null, Json("\"auto\""), null, null));
        var schema = Assert.Throws<InferenceException>(() => ToolCallPlanner.Plan(
            Tools("""{"type":"function","function":{"name":"f","parameters":{"type":"object","not":{}}}}"""), null, null, null));

        Assert.Equal("tool_choice", noTools.Param);
        Assert.Equal("tools[0].function.parameters", schema.Param);
        Assert.Contains("'not'", schema.Message, StringComparison.Ordinal);
    }

    private static ToolCallFormat Format(string family) => family switch
    {
        "hermes" => new HermesToolCallFormat(),
        "llama3" => new Llama3ToolCallFormat(),
        "mistral" => new MistralToolCallFormat(),
        _ => new GenericToolCallFormat(),
    };

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private static IReadOnlyList<ToolDefinition> Tools(params string[] declarations) =>
        Mapping.ToolJson.ToDefinitions(declarations.Select(Json).ToList())!;
}
