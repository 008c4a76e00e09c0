using System.Text.Json;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;
using InferenceServer.Core.Templates;
using InferenceServer.LlamaSharp.Tests.Fixtures;

namespace InferenceServer.LlamaSharp.Tests;

/// <summary>Which template a loaded model renders with (configured Jinja text or file, GGUF template and its tool_use
/// variant, built-ins), BOS handling, and template errors at load and at render time.</summary>
[Collection(ModelCollection.Name)]
public sealed class ChatTemplateSelectionTests(ModelFiles files)
{
    private static readonly ToolDefinition Weather = Tool("""{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}""");

    private static ToolDefinition Tool(string json)
    {
        var declaration = JsonDocument.Parse(json).RootElement.Clone();
        return new ToolDefinition(declaration.GetProperty("function").GetProperty("name").GetString()!, null, null, declaration);
    }

    [Fact]
    public void The_gguf_template_is_rendered_by_the_jinja_engine()
    {
        using var backend = TestBackends.Create(files.TinyToolUse);

        Assert.IsType<JinjaChatTemplate>(backend.ChatTemplate);
        Assert.Equal("gguf", backend.ChatTemplate.Name);
        Assert.Equal(ModelFiles.PlainTemplate, backend.ChatTemplate.Source);
        Assert.Equal("user: Hi\n", backend.ChatTemplate.Apply([new ChatMessage("user", "Hi")], addGenerationPrompt: true));
    }

    [Fact]
    public void Requests_with_tools_use_the_tool_use_variant_with_arguments_parsed()
    {
        using var backend = TestBackends.Create(files.TinyToolUse);
        var messages = new[]
        {
            new ChatMessage("user", "Weather?"),
            new ChatMessage("assistant", null) { ToolCalls = [new ToolCall("call_1", "get_weather", """{"city":"Paris","days":2}""")] },
        };

        var withTools = backend.ChatTemplate.Render(new ChatTemplateInput(messages) { Tools = [Weather] });
        var without = backend.ChatTemplate.Render(new ChatTemplateInput(messages));

        // trim_blocks eats the newline after {% endif %}, as in transformers (checked with Python jinja2).
        Assert.Equal("tool get_weather\nuser: Weather?assistant: None calls {\"city\": \"Paris\", \"days\": 2}", withTools);
        Assert.Equal("user: Weather?\nassistant: None\n", without);
    }

    [Fact]
    public void A_leading_bos_text_is_not_doubled_when_the_tokenizer_adds_bos()
    {
        using var backend = TestBackends.Create(files.TinyBosTemplate);

        var prompt = backend.ChatTemplate.Apply([new ChatMessage("user", "Hi")], addGenerationPrompt: true);
        var tokens = backend.Tokenizer.Tokenize(prompt, addSpecial: true, parseSpecial: true);

        Assert.Equal(TinyGguf.EndOfText, backend.ChatTemplate.BosToken);
        Assert.Equal("[user] Hi\n", prompt);
        Assert.Equal(TinyGguf.EndOfTextId, tokens[0]);
        Assert.Equal(1, tokens.Count(t => t == TinyGguf.EndOfTextId));
    }

    [Fact]
    public void A_gguf_template_that_does_not_parse_stops_the_load_with_line_and_column()
    {
        var factory = TestBackends.Factory(files.TinyBrokenTemplate);

        var ex = Assert.Throws<InferenceException>(() => factory.Create(CancellationToken.None));

        Assert.Contains("tokenizer.chat_template", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not valid Jinja", ex.Message, StringComparison.Ordinal);
        Assert.Contains("(line 2, column", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configured_jinja_text_overrides_the_models_template()
    {
        const string Custom = "{% for m in messages %}<{{ m.role | upper }}>{{ m.content }}{% endfor %}{% if add_generation_prompt %}<BOT>{% endif %}";
        using var backend = TestBackends.Create(files.Tiny, o => o.ChatTemplate = Custom);

        Assert.Equal("custom", backend.ChatTemplate.Name);
        Assert.Equal("<USER>Hi<BOT>", backend.ChatTemplate.Apply([new ChatMessage("user", "Hi")], addGenerationPrompt: true));
    }

    [Fact]
    public void A_configured_template_file_is_read_and_its_errors_name_the_key()
    {
        var good = Path.Combine(files.Directory, "custom.jinja");
        File.WriteAllText(good, "{{ messages | map(attribute='content') | join(' / ') }}");
        using (var backend = TestBackends.Create(files.Tiny, o => o.ChatTemplateFile = good))
        {
            Assert.Equal("a / b", backend.ChatTemplate.Apply([new ChatMessage("user", "a"), new ChatMessage("assistant", "b")], true));
        }

        var bad = Path.Combine(files.Directory, "broken.jinja");
        File.WriteAllText(bad, "ok\n{% if x %}never closed");
        var ex = Assert.Throws<InferenceException>(() => TestBackends.Create(files.Tiny, o => o.ChatTemplateFile = bad));
        Assert.Contains("Model:ChatTemplateFile", ex.Message, StringComparison.Ordinal);
        Assert.Contains("line 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_template_that_raises_is_an_invalid_request_with_its_message()
    {
        using var backend = TestBackends.Create(files.Tiny, o => o.ChatTemplate = "{% if messages[0].role != 'system' %}{{ raise_exception('A system message must come first.') }}{% endif %}ok");

        var ex = Assert.Throws<InferenceException>(() => backend.ChatTemplate.Apply([new ChatMessage("user", "Hi")], true));

        Assert.Equal(InferenceErrorKind.InvalidRequest, ex.Kind);
        Assert.Equal("A system message must come first.", ex.Message);
        Assert.Equal("messages", ex.Param);
    }

    [Theory]
    [InlineData("chatml", true)]
    [InlineData(" llama3 ", true)]
    [InlineData("mistral-v7", true)]
    [InlineData("{{ messages }}", false)]
    [InlineData("{% for m in messages %}x{% endfor %}", false)]
    [InlineData("line one\nline two", false)]
    public void Built_in_names_are_told_apart_from_jinja_source(string value, bool builtIn) =>
        Assert.Equal(builtIn, ChatTemplateSelection.IsBuiltInName(value));
}
