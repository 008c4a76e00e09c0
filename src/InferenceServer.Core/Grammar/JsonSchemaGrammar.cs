using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace InferenceServer.Core.Grammar;

/// <summary>
/// Converts a JSON Schema to a GBNF grammar whose every complete output is a JSON text that validates against the
/// schema (written here after studying llama.cpp's json-schema-to-grammar). Supported: <c>type</c> (all, and
/// unions), <c>properties</c>, <c>required</c>, <c>additionalProperties</c>, <c>enum</c>, <c>const</c>,
/// <c>anyOf</c>/<c>oneOf</c>/<c>allOf</c>, <c>nullable</c>, <c>items</c>, <c>prefixItems</c>,
/// <c>minItems</c>/<c>maxItems</c>, <c>minLength</c>/<c>maxLength</c>, <c>pattern</c> (see
/// <see cref="PatternGrammar"/>), <c>format</c> (date, time, date-time, uuid, email), integer bounds, local
/// <c>$ref</c> into <c>$defs</c>/<c>definitions</c>. Annotations are ignored; anything else throws
/// <see cref="SchemaException"/> naming the keyword. Properties come out required first, then optional ones, each
/// group in declaration order; additional properties (when allowed) never repeat a declared name.
/// </summary>
public sealed partial class JsonSchemaGrammar
{
    public const string RootRule = "root";

    private static readonly HashSet<string> Annotations = new(StringComparer.Ordinal)
    {
        "title", "description", "$schema", "$id", "$comment", "default", "examples", "deprecated", "readOnly",
        "writeOnly", "discriminator", "example", "$defs", "definitions",
    };

    private static readonly HashSet<string> Supported = new(StringComparer.Ordinal)
    {
        "type", "properties", "required", "additionalProperties", "enum", "const", "anyOf", "oneOf", "allOf",
        "nullable", "items", "prefixItems", "minItems", "maxItems", "minLength", "maxLength", "pattern", "format",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "$ref",
    };

    private readonly JsonNode _document;
    private readonly Dictionary<string, string> _rules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _refRules = new(StringComparer.Ordinal);

    private readonly string _refPrefix;

    private JsonSchemaGrammar(JsonNode document, string refPrefix = "")
    {
        _document = document;
        _refPrefix = refPrefix;
    }

    /// <summary>The shared JSON rules (space, string, ...) a caller's own rules may reference.</summary>
    public static IReadOnlyDictionary<string, string> PrimitiveRules(params string[] names) =>
        names.SelectMany(JsonGrammarRules.WithDependencies).Distinct().ToDictionary(n => n, n => JsonGrammarRules.Primitives[n]);

    /// <summary>The GBNF (root rule <see cref="RootRule"/>) for instances of <paramref name="schema"/>.</summary>
    public static string FromSchema(JsonElement schema) => FromSchema(JsonNode.Parse(schema.GetRawText()));

    public static string FromSchema(JsonNode? schema)
    {
        schema = Normalize(schema);
        var converter = new JsonSchemaGrammar(schema ?? throw new SchemaException("The schema is null.", "#"));
        var expression = converter.Visit(schema, "#", RootRule);
        if (expression != RootRule)
        {
            converter.Define(RootRule, expression);
        }

        return converter.Render();
    }

    /// <summary>Any JSON object (OpenAI's json_object mode).</summary>
    public static string AnyObject() => FromSchema(new JsonObject { ["type"] = "object", ["additionalProperties"] = true });

    /// <summary>Adds the converted schema's rules to an existing rule set under a prefix and returns its root rule
    /// name (tool-call grammars put several schemas into one grammar).</summary>
    public static (string Root, IReadOnlyDictionary<string, string> Rules) Rules(JsonNode? schema, string prefix)
    {
        schema = Normalize(schema) ?? new JsonObject();
        var converter = new JsonSchemaGrammar(schema, prefix + "-");
        var root = prefix + "-root";
        var expression = converter.Visit(schema ?? new JsonObject(), "#", root);
        if (expression != root)
        {
            converter.Define(root, expression);
        }

        return (root, converter._rules);
    }

    /// <summary>A copy parsed from text, so every number reads back as any numeric type (a JsonValue built from an
    /// int does not read as a double).</summary>
    private static JsonNode? Normalize(JsonNode? schema) => schema is null ? null : JsonNode.Parse(schema.ToJsonString());

    /// <summary>Renders a rule set as GBNF text, root first.</summary>
    public static string Render(IReadOnlyDictionary<string, string> rules)
    {
        var sb = new StringBuilder();
        foreach (var (name, body) in rules.OrderBy(r => r.Key == RootRule ? 0 : 1).ThenBy(r => r.Key, StringComparer.Ordinal))
        {
            sb.Append(name).Append(" ::= ").Append(body.Trim()).Append('\n');
        }

        return sb.ToString();
    }

    private string Render() => Render(_rules);

    private string Define(string name, string body)
    {
        _rules[name] = body;
        return name;
    }

    /// <summary>A fresh rule name from a hint (GBNF names: letters, digits, '-').</summary>
    private string NewName(string hint)
    {
        var clean = new string(hint.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        if (clean.Length == 0)
        {
            clean = "r";
        }

        if (clean.Length > 60)
        {
            clean = clean[..60];
        }

        var name = clean;
        for (var i = 1; _rules.ContainsKey(name) || JsonGrammarRules.Primitives.ContainsKey(name); i++)
        {
            name = clean + "-" + i.ToString(CultureInfo.InvariantCulture);
        }

        _rules[name] = ""; // reserve
        return name;
    }

    private string Primitive(string name)
    {
        foreach (var rule in JsonGrammarRules.WithDependencies(name))
        {
            _rules[rule] = JsonGrammarRules.Primitives[rule];
        }

        return name;
    }

    /// <summary>A GBNF expression for the instances of <paramref name="schema"/> (followed by bounded space).</summary>
    private string Visit(JsonNode? schema, string path, string hint)
    {
        switch (schema)
        {
            case JsonValue v when v.TryGetValue<bool>(out var b):
                return b ? Primitive("value") : throw new SchemaException("The schema 'false' accepts nothing.", path);
            case not JsonObject:
                throw new SchemaException("A schema must be an object or a boolean.", path);
        }

        var obj = (JsonObject)schema;
        foreach (var (key, _) in obj)
        {
            if (!Supported.Contains(key) && !Annotations.Contains(key))
            {
                throw new SchemaException($"The JSON Schema keyword '{key}' is not supported.", path, key);
            }
        }

        if (obj["$ref"] is { } reference)
        {
            return VisitRef(obj, reference, path);
        }

        if (obj["nullable"] is JsonValue nullable && nullable.TryGetValue<bool>(out var isNullable) && isNullable)
        {
            var rest = Without(obj, "nullable");
            return Alternatives([Visit(rest, path, hint), Primitive("null")]);
        }

        if (obj["allOf"] is { } allOf)
        {
            var merged = Without(obj, "allOf");
            foreach (var (part, i) in Items(allOf, path, "allOf").Select((p, i) => (p, i)))
            {
                merged = Merge(merged, Resolve(part, $"{path}/allOf/{i}"), $"{path}/allOf/{i}");
            }

            return Visit(merged, path, hint);
        }

        foreach (var combinator in (string[])["anyOf", "oneOf"])
        {
            if (obj[combinator] is { } alternatives)
            {
                var siblings = Without(obj, combinator);
                var choices = Items(alternatives, path, combinator)
                    .Select((alt, i) => Visit(siblings.Count == 0 ? alt : Merge(siblings, Resolve(alt, $"{path}/{combinator}/{i}"), $"{path}/{combinator}/{i}"),
                        $"{path}/{combinator}/{i}", $"{hint}-{i}"))
                    .ToList();
                return Rule(hint, Alternatives(choices));
            }
        }

        if (obj["const"] is { } constant || obj.ContainsKey("const"))
        {
            return Rule(hint, JsonLiteral(obj["const"]));
        }

        if (obj["enum"] is { } values)
        {
            var choices = Items(values, path, "enum").Select(JsonLiteral).ToList();
            if (choices.Count == 0)
            {
                throw new SchemaException("'enum' is empty.", path);
            }

            return Rule(hint, Alternatives(choices));
        }

        var types = Types(obj, path);
        var typed = types.Select(t => VisitType(obj, t, path, types.Count == 1 ? hint : $"{hint}-{t}")).ToList();
        return typed.Count == 1 ? typed[0] : Rule(hint, Alternatives(typed));
    }

    private string VisitType(JsonObject obj, string type, string path, string hint) => type switch
    {
        "object" => ObjectRule(obj, path, hint),
        "array" => ArrayRule(obj, path, hint),
        "string" => StringRule(obj, path, hint),
        "integer" => IntegerRule(obj, path, hint),
        "number" => NumberRule(obj, path),
        "boolean" => Primitive("boolean"),
        "null" => Primitive("null"),
        "any" => Primitive("value"),
        _ => throw new SchemaException($"Unknown type '{type}'.", path, "type"),
    };

    private static List<string> Types(JsonObject obj, string path)
    {
        switch (obj["type"])
        {
            case JsonValue single when single.TryGetValue<string>(out var name):
                return [name];
            case JsonArray many:
                var names = many.Select(t => t is JsonValue v && v.TryGetValue<string>(out var n) ? n : throw new SchemaException("'type' must hold strings.", path)).ToList();
                return names.Count == 0 ? throw new SchemaException("'type' is an empty array.", path) : names;
            case null:
                if (obj.ContainsKey("properties") || obj.ContainsKey("additionalProperties") || obj.ContainsKey("required"))
                {
                    return ["object"];
                }

                if (obj.ContainsKey("items") || obj.ContainsKey("prefixItems") || obj.ContainsKey("minItems") || obj.ContainsKey("maxItems"))
                {
                    return ["array"];
                }

                if (obj.ContainsKey("pattern") || obj.ContainsKey("format") || obj.ContainsKey("minLength") || obj.ContainsKey("maxLength"))
                {
                    return ["string"];
                }

                return obj.ContainsKey("minimum") || obj.ContainsKey("maximum") || obj.ContainsKey("exclusiveMinimum") || obj.ContainsKey("exclusiveMaximum")
                    ? ["number"]
                    : ["any"];
            default:
                throw new SchemaException("'type' must be a string or an array of strings.", path, "type");
        }
    }

    private string Rule(string hint, string body) => Define(NewName(hint), body);

    private static string Alternatives(IReadOnlyList<string> choices) =>
        choices.Count == 1 ? choices[0] : "(" + string.Join(" | ", choices.Distinct()) + ")";

    /// <summary>The exact compact JSON text of a value, then space.</summary>
    private string JsonLiteral(JsonNode? value)
    {
        var text = value?.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) ?? "null";
        return Gbnf.Literal(text) + " " + Primitive(JsonGrammarRules.Space);
    }

    private static IEnumerable<JsonNode?> Items(JsonNode node, string path, string keyword) =>
        node as JsonArray ?? throw new SchemaException($"'{keyword}' must be an array.", path, keyword);

    private static JsonObject Without(JsonObject obj, string keyword)
    {
        var copy = new JsonObject();
        foreach (var (key, value) in obj)
        {
            if (key != keyword)
            {
                copy[key] = value?.DeepClone();
            }
        }

        return copy;
    }
}
