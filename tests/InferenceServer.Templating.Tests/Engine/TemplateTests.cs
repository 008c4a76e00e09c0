using InferenceServer.Templating.Runtime;

namespace InferenceServer.Templating.Tests.Engine;

/// <summary>Engine behaviour that the Python differential corpus cannot show: error positions, sandbox limits,
/// the injected clock, mutation methods (which transformers' immutable sandbox forbids), thread safety.</summary>
public sealed class TemplateTests
{
    private static string Render(string source, object? variables = null, TemplateOptions? options = null) =>
        Template.Parse(source, options).Render(variables as IReadOnlyDictionary<string, object?> ?? new Dictionary<string, object?>());

    [Theory]
    [InlineData("hello\n{% if x %}\n{% endfor %}", 3, 4, "endfor")]
    [InlineData("{{ 1 + }}", 1, 8, "unexpected end of print statement")]
    [InlineData("line1\nline2 {% frobnicate %}", 2, 10, "unknown tag 'frobnicate'")]
    [InlineData("{% for x in y %}never closed", 1, 29, "'endfor'")]
    [InlineData("{{ 'unterminated }}", 1, 4, "unexpected end of string")]
    [InlineData("{{ a $ b }}", 1, 6, "unexpected char '$'")]
    [InlineData("{# open comment", 1, 1, "Missing end of comment tag")]
    public void Syntax_errors_name_line_and_column(string source, int line, int column, string reason)
    {
        var error = Assert.Throws<TemplateSyntaxException>(() => Template.Parse(source));
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.EndsWith($"(line {line}, column {column})", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Raise_exception_carries_the_templates_message()
    {
        var error = Assert.Throws<TemplateRuntimeException>(() => Render("{{ raise_exception('Roles must alternate') }}"));
        Assert.True(error.RaisedByTemplate);
        Assert.Equal("Roles must alternate", error.Message);
    }

    [Fact]
    public void Attribute_of_an_undefined_value_is_an_error_but_a_missing_attribute_is_undefined()
    {
        Assert.Equal("[]", Render("[{{ d.missing }}]", new Dictionary<string, object?> { ["d"] = new Dictionary<string, object?>() }));
        var error = Assert.Throws<TemplateRuntimeException>(() => Render("{{ nope.x }}"));
        Assert.Equal("'nope' is undefined", error.Message);
    }

    [Theory]
    [InlineData("{% for i in range(100) %}{% for j in range(100) %}{% endfor %}{% endfor %}", "iterations")]
    [InlineData("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "nest deeper")]
    [InlineData("{% for i in range(5000) %}xxxxxxxxxx{% endfor %}", "characters")]
    [InlineData("{{ 'x' * 100000000 }}", "too large")]
    [InlineData("{{ range(100000000) | length }}", "range()")]
    public void Sandbox_limits_stop_runaway_templates(string source, string reason)
    {
        var options = new TemplateOptions { MaxLoopIterations = 5_000, MaxOutputChars = 10_000, MaxRecursionDepth = 20 };
        var error = Assert.Throws<TemplateLimitException>(() => Render(source, options: options));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deeply_nested_source_is_a_syntax_error_not_a_crash()
    {
        var source = "{{ " + new string('(', 100_000) + "1" + new string(')', 100_000) + " }}";
        Assert.ThrowsAny<TemplateException>(() => Template.Parse(source));
    }

    [Fact]
    public void Underscore_attributes_are_never_resolved()
    {
        Assert.Equal("[][]", Render("[{{ s.__class__ }}][{{ s._private }}]", new Dictionary<string, object?> { ["s"] = "text" }));
    }

    [Fact]
    public void Strftime_now_uses_the_injected_clock()
    {
        var clock = new FixedClock(new DateTimeOffset(2025, 3, 7, 14, 5, 9, TimeSpan.Zero));
        var text = Template.Parse("{{ strftime_now('%Y-%m-%d %H:%M:%S %B %b %A %a %d %-d %I%p %j') }}").Render(new Dictionary<string, Value>(), clock);
        Assert.Equal("2025-03-07 14:05:09 March Mar Friday Fri 07 7 02PM 066", text);
    }

    [Fact]
    public void Lists_can_be_mutated_where_templates_do_so()
    {
        Assert.Equal("[1, 2, 3] 3 [1, 2]", Render("{% set l = [1, 2] %}{% do l.append(3) %}{{ l }} {{ l.pop() }} {{ l }}"));
        Assert.Equal("[0, 1]", Render("{% set l = [1] %}{% set _ = l.insert(0, 0) %}{{ l }}"));
    }

    [Fact]
    public void Values_from_dotnet_objects_render_like_python()
    {
        var variables = new Dictionary<string, object?>
        {
            ["n"] = 3L,
            ["f"] = 0.5,
            ["b"] = false,
            ["none"] = null,
            ["list"] = new object?[] { "a", 1 },
            ["map"] = new Dictionary<string, object?> { ["k"] = "v" },
        };
        Assert.Equal("3 0.5 False None ['a', 1] {'k': 'v'}", Render("{{ n }} {{ f }} {{ b }} {{ none }} {{ list }} {{ map }}", variables));
    }

    [Fact]
    public void A_compiled_template_renders_concurrently()
    {
        var template = Template.Parse("{% set ns = namespace(t=0) %}{% for i in range(n) %}{% set ns.t = ns.t + i %}{% endfor %}{{ ns.t }}");
        var results = Enumerable.Range(0, 200).AsParallel().Select(n => (n, template.Render(new Dictionary<string, object?> { ["n"] = (long)n }))).ToList();
        Assert.All(results, r => Assert.Equal((r.n * (r.n - 1) / 2).ToString(System.Globalization.CultureInfo.InvariantCulture), r.Item2));
    }

    [Fact]
    public void Options_can_turn_off_the_chat_template_whitespace_rules()
    {
        var plain = new TemplateOptions { TrimBlocks = false, LStripBlocks = false, KeepTrailingNewline = true };
        Assert.Equal("  \nx\n", Render("  {% if true %}\nx{% endif %}\n", options: plain));
        Assert.Equal("x", Render("  {% if true %}\nx{% endif %}\n"));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }
}
