using System.Text.Json.Nodes;
using InferenceServer.Core.Grammar;

namespace InferenceServer.Core.Tests.Grammar;

/// <summary>Table tests of the schema converter's output shape and refusals. That the grammars parse in llama.cpp
/// and their outputs validate is proven on the real engine (Api tests, StructuredOutputPropertyTests).</summary>
public sealed class JsonSchemaGrammarTests
{
    private static string Convert(string schema) => JsonSchemaGrammar.FromSchema(JsonNode.Parse(schema));

    private static string RootBody(string grammar) =>
        grammar.Split('\n').Single(l => l.StartsWith("root ::= ", StringComparison.Ordinal))["root ::= ".Length..];

    [Theory]
    [InlineData("""{"type":"string"}""", "string")]
    [InlineData("""{"type":"integer"}""", "integer")]
    [InlineData("""{"type":"number"}""", "number")]
    [InlineData("""{"type":"boolean"}""", "boolean")]
    [InlineData("""{"type":"null"}""", "null")]
    [InlineData("""{}""", "value")]
    [InlineData("""true""", "value")]
    public void Primitive_types_use_the_shared_rules(string schema, string rule)
    {
        var grammar = Convert(schema);

        Assert.Equal(rule, RootBody(grammar));
        Assert.Contains($"\n{rule} ::= ", "\n" + grammar, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":["string","null"]}""", "(string | null)")]
    [InlineData("""{"type":"string","nullable":true}""", "(string | null)")]
    [InlineData("""{"enum":["a",1,null]}""", "(\"\\\"a\\\"\" space | \"1\" space | \"null\" space)")]
    [InlineData("""{"const":{"k":[1,2]}}""", "\"{\\\"k\\\":[1,2]}\" space")]
    public void Unions_enums_and_consts(string schema, string expectedRootOrRule)
    {
        var grammar = Convert(schema);

        Assert.Contains(expectedRootOrRule, grammar, StringComparison.Ordinal);
    }

    [Fact]
    public void Objects_list_required_properties_first_then_optional_ones_each_optional()
    {
        var grammar = Convert("""{"type":"object","properties":{"b":{"type":"string"},"a":{"type":"integer"}},"required":["a"]}""");
        var root = RootBody(grammar);

        Assert.True(root.IndexOf("\\\"a\\\"", StringComparison.Ordinal) < root.IndexOf("\\\"b\\\"", StringComparison.Ordinal));
        Assert.Contains("(\",\" space \"\\\"b\\\"\"", root, StringComparison.Ordinal);
        Assert.DoesNotContain("additional", grammar, StringComparison.Ordinal);
    }

    [Fact]
    public void Additional_properties_true_adds_keys_that_differ_from_the_declared_names()
    {
        var grammar = Convert("""{"type":"object","properties":{"ab":{"type":"string"}},"additionalProperties":true}""");

        Assert.Contains("additional-key ::=", grammar, StringComparison.Ordinal);
        Assert.Contains("[^\"\\\\\\x7F\\x00-\\x1Fa]", grammar, StringComparison.Ordinal);
    }

    [Fact]
    public void Arrays_bound_their_item_count()
    {
        var grammar = Convert("""{"type":"array","items":{"type":"integer"},"minItems":2,"maxItems":4}""");

        Assert.Contains("integer (\",\" space integer){1,3}", grammar, StringComparison.Ordinal);
    }

    [Fact]
    public void Prefix_items_come_first_then_bounded_items()
    {
        var grammar = Convert("""{"type":"array","prefixItems":[{"type":"string"},{"type":"boolean"}],"items":{"type":"null"},"maxItems":3}""");

        Assert.Contains("string \",\" space boolean (\",\" space null){0,1}", grammar, StringComparison.Ordinal);
    }

    [Fact]
    public void String_lengths_repeat_the_char_rule()
    {
        Assert.Contains("char{2,5}", Convert("""{"type":"string","minLength":2,"maxLength":5}"""), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("date")]
    [InlineData("time")]
    [InlineData("date-time")]
    [InlineData("uuid")]
    [InlineData("email")]
    public void Supported_formats_have_rules(string format)
    {
        Assert.Contains($"\n{format} ::= ", "\n" + Convert($$"""{"type":"string","format":"{{format}}"}"""), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("^[a-z]{2,3}-\\d+$", "[a-z]")]
    [InlineData("(ab|cd)?x", "(\"a\" \"b\" | \"c\" \"d\")")]
    [InlineData("[^\"]+", "[^\"\\\\\\x7F\\x00-\\x1F\\U00010000-\\U0010FFFF\"]")]
    public void Patterns_become_grammar(string pattern, string fragment)
    {
        var schema = new JsonObject { ["type"] = "string", ["pattern"] = pattern };

        Assert.Contains(fragment, JsonSchemaGrammar.FromSchema(schema), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 9, "[0-9]")]
    [InlineData(5, 5, "\"5\"")]
    [InlineData(10, 99, "[1-9] [0-9]{1}")]
    public void Integer_ranges(long min, long max, string expected)
    {
        Assert.Equal(expected, IntegerRangeGrammar.Build(min, max));
    }

    [Fact]
    public void Integer_ranges_accept_exactly_their_members()
    {
        // Brute force: every integer in [-130, 130] matches the generated alternatives iff it is in the range.
        foreach (var (min, max) in new (long?, long?)[] { (-17, 45), (3, 120), (-99, -7), (null, 12), (-5, null), (0, 0), (100, 100) })
        {
            var regex = new System.Text.RegularExpressions.Regex("^(" + ToRegex(IntegerRangeGrammar.Build(min, max)) + ")$");
            for (var n = -130; n <= 130; n++)
            {
                Assert.True(regex.IsMatch(n.ToString(System.Globalization.CultureInfo.InvariantCulture)) == (n >= (min ?? long.MinValue) && n <= (max ?? long.MaxValue)),
                    $"{n} against [{min}, {max}]");
            }
        }
    }

    [Fact]
    public void Local_refs_and_recursion_become_named_rules()
    {
        var grammar = Convert("""
            {"$defs":{"node":{"type":"object","properties":{"next":{"anyOf":[{"$ref":"#/$defs/node"},{"type":"null"}]}},"required":["next"]}},
             "$ref":"#/$defs/node"}
            """);

        Assert.Contains("node ::= ", grammar, StringComparison.Ordinal);
        Assert.Contains("(node | null)", grammar, StringComparison.Ordinal);
    }

    [Fact]
    public void AllOf_merges_object_schemas()
    {
        var grammar = Convert("""{"allOf":[{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]},{"properties":{"b":{"type":"integer"}},"required":["b"]}]}""");

        Assert.Contains("\\\"a\\\"", grammar, StringComparison.Ordinal);
        Assert.Contains("\\\"b\\\"", grammar, StringComparison.Ordinal);
        Assert.DoesNotContain(")?", RootBody(grammar).Split("\\\"b\\\"")[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":"string","contentEncoding":"base64"}""", "contentEncoding")]
    [InlineData("""{"type":"number","multipleOf":3}""", "multipleOf")]
    [InlineData("""{"type":"number","minimum":0}""", "minimum")]
    [InlineData("""{"not":{"type":"string"}}""", "not")]
    [InlineData("""{"type":"object","patternProperties":{"^a":{}}}""", "patternProperties")]
    [InlineData("""{"type":"array","uniqueItems":true}""", "uniqueItems")]
    [InlineData("""{"type":"string","format":"uri"}""", "format")]
    [InlineData("""{"type":"string","pattern":"(?=a)b"}""", "pattern")]
    [InlineData("""{"type":"string","pattern":"(a)\\1"}""", "pattern")]
    [InlineData("""{"$ref":"https://example.com/schema.json"}""", "$ref")]
    [InlineData("""{"$ref":"#/$defs/missing"}""", "$ref")]
    public void Unsupported_keywords_and_remote_refs_are_refused_naming_the_keyword(string schema, string keyword)
    {
        var ex = Assert.Throws<SchemaException>(() => Convert(schema));

        Assert.Equal(keyword, ex.Keyword);
        Assert.Contains(keyword, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Whitespace_is_bounded()
    {
        var space = JsonGrammarRules.Primitives[JsonGrammarRules.Space];

        Assert.DoesNotContain("*", space, StringComparison.Ordinal);
        Assert.DoesNotContain("+", space, StringComparison.Ordinal);
    }

    /// <summary>The GBNF subset IntegerRangeGrammar emits, as a .NET regex.</summary>
    private static string ToRegex(string gbnf) =>
        gbnf.Replace("\" \"", "", StringComparison.Ordinal).Replace("\"", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
}
