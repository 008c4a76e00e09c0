using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace InferenceServer.Core.Grammar;

/// <summary>Rules for objects, arrays, strings and numbers.</summary>
public sealed partial class JsonSchemaGrammar
{
    private static readonly Dictionary<string, string> Formats = new(StringComparer.Ordinal)
    {
        ["date"] = "date", ["time"] = "time", ["date-time"] = "date-time", ["uuid"] = "uuid", ["email"] = "email",
    };

    private string ObjectRule(JsonObject obj, string path, string hint)
    {
        var properties = obj["properties"] as JsonObject ?? (obj.ContainsKey("properties") ? throw new SchemaException("'properties' must be an object.", path, "properties") : new JsonObject());
        var required = (obj["required"] as JsonArray ?? [])
            .Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new SchemaException("'required' must hold strings.", path, "required"))
            .Distinct(StringComparer.Ordinal).ToList();
        var space = Primitive(JsonGrammarRules.Space);
        var names = properties.Select(p => p.Key).ToList();

        string Pair(string name, JsonNode? schema, string suffix) =>
            Gbnf.Literal(JsonSerializer.Serialize(name)) + " " + space + " \":\" " + space + " " +
            Visit(schema, $"{path}/properties/{name}", $"{hint}-{suffix}");

        var requiredPairs = required.Select(n => Pair(n, properties.TryGetPropertyValue(n, out var s) ? s : JsonValue.Create(true), n)).ToList();
        var optionalPairs = names.Where(n => !required.Contains(n)).Select(n => Pair(n, properties[n], n)).ToList();

        string? additional = null;
        var extra = obj["additionalProperties"];
        if (extra is JsonObject || (extra is JsonValue ev && ev.TryGetValue<bool>(out var allowed) && allowed))
        {
            var key = Rule($"{hint}-additional-key", "\"\\\"\" " + NotOneOf(names.Concat(required).Distinct().ToList()) + " \"\\\"\" " + space);
            var value = extra is JsonObject ? Visit(extra, $"{path}/additionalProperties", $"{hint}-additional-value") : Primitive("value");
            additional = Rule($"{hint}-additional-kv", $"{key} \":\" {space} {value}");
        }
        else if (extra is not null && !(extra is JsonValue fv && fv.TryGetValue<bool>(out var no) && !no))
        {
            throw new SchemaException("'additionalProperties' must be a boolean or a schema.", path, "additionalProperties");
        }

        string OptionalTail(int from) =>
            string.Concat(optionalPairs.Skip(from).Select(p => $" (\",\" {space} {p})?")) +
            (additional is null ? "" : $" (\",\" {space} {additional})*");

        string body;
        if (requiredPairs.Count > 0)
        {
            body = string.Join($" \",\" {space} ", requiredPairs) + OptionalTail(0);
        }
        else
        {
            var firsts = optionalPairs.Select((p, i) => p + OptionalTail(i + 1)).ToList();
            if (additional is not null)
            {
                firsts.Add($"{additional} (\",\" {space} {additional})*");
            }

            body = firsts.Count == 0 ? "" : "(" + string.Join(" | ", firsts) + ")?";
        }

        return Rule(hint, $"\"{{\" {space} {body} \"}}\" {space}");
    }

    /// <summary>JSON string content (between the quotes) that is any text except the given names: a trie walk
    /// that must leave the trie by a character no name continues with, or end where no name ends.</summary>
    private string NotOneOf(IReadOnlyList<string> names)
    {
        var chars = Primitive(JsonGrammarRules.Char);
        if (names.Count == 0)
        {
            return chars + "*";
        }

        var escaped = names.Select(n => JsonSerializer.Serialize(n)[1..^1]).ToList();
        return Node(escaped, 0);

        string Node(List<string> words, int depth)
        {
            var alternatives = new List<string>();
            var groups = words.Where(w => w.Length > depth).GroupBy(w => w[depth]).ToList();
            foreach (var group in groups)
            {
                alternatives.Add(Gbnf.Literal(group.Key.ToString()) + " " + Node([.. group], depth + 1));
            }

            var exclusions = string.Concat(groups.Select(g => Gbnf.ClassChar(g.Key)));
            alternatives.Add($"[^\"\\\\\\x7F\\x00-\\x1F{exclusions}] {chars}*");
            if (!words.Any(w => w.Length == depth))
            {
                alternatives.Add("\"\"");
            }

            return "(" + string.Join(" | ", alternatives) + ")";
        }
    }

    private string ArrayRule(JsonObject obj, string path, string hint)
    {
        var space = Primitive(JsonGrammarRules.Space);
        var min = Count(obj, "minItems", path) ?? 0;
        var max = Count(obj, "maxItems", path);
        var prefix = (obj["prefixItems"] as JsonArray ?? []).Select((s, i) => Visit(s, $"{path}/prefixItems/{i}", $"{hint}-{i}")).ToList();
        if (max is { } m && m < min)
        {
            throw new SchemaException("'maxItems' is below 'minItems'.", path, "maxItems");
        }

        var itemsNode = obj["items"];
        var noMoreItems = itemsNode is JsonValue iv && iv.TryGetValue<bool>(out var itemsAllowed) && !itemsAllowed;
        string? item = itemsNode is null || noMoreItems ? null : Visit(itemsNode, $"{path}/items", $"{hint}-item");
        if (item is null && min > prefix.Count && !noMoreItems)
        {
            item = Primitive("value");
        }

        if (prefix.Count > 0 && max < prefix.Count)
        {
            throw new SchemaException("'maxItems' is below the number of 'prefixItems'.", path, "maxItems");
        }

        if (noMoreItems && min > prefix.Count)
        {
            throw new SchemaException("'minItems' needs more items than 'prefixItems' allows.", path, "minItems");
        }

        var parts = new List<string>(prefix);
        var extraMin = Math.Max(0, min - prefix.Count);
        int? extraMax = item is null ? 0 : max - prefix.Count;
        string body;
        if (parts.Count > 0)
        {
            body = string.Join($" \",\" {space} ", parts);
            if (item is not null && extraMax != 0)
            {
                body += $" (\",\" {space} {item}){Repeat(extraMin, extraMax)}";
            }
        }
        else if (item is null || extraMax == 0)
        {
            body = "";
        }
        else if (extraMin == 0)
        {
            body = $"({item} (\",\" {space} {item}){Repeat(0, extraMax - 1)})?";
        }
        else
        {
            body = $"{item} (\",\" {space} {item}){Repeat(extraMin - 1, extraMax - 1)}";
        }

        return Rule(hint, $"\"[\" {space} {body} \"]\" {space}");
    }

    private static string Repeat(int min, int? max) => max switch
    {
        null => min == 0 ? "*" : $"{{{min},}}",
        _ when max == min => $"{{{min}}}",
        _ => $"{{{min},{max}}}",
    };

    private string StringRule(JsonObject obj, string path, string hint)
    {
        var quote = "\"\\\"\"";
        var space = Primitive(JsonGrammarRules.Space);
        var minLength = Count(obj, "minLength", path);
        var maxLength = Count(obj, "maxLength", path);
        if (obj["format"] is { } formatNode)
        {
            var format = formatNode.GetValueKind() == JsonValueKind.String ? formatNode.GetValue<string>() : throw new SchemaException("'format' must be a string.", path, "format");
            if (!Formats.TryGetValue(format, out var rule))
            {
                throw new SchemaException($"The string format '{format}' is not supported (supported: {string.Join(", ", Formats.Keys)}).", path, "format");
            }

            if (minLength is not null || maxLength is not null || obj.ContainsKey("pattern"))
            {
                throw new SchemaException("'format' together with 'minLength', 'maxLength' or 'pattern' is not supported.", path, minLength is not null ? "minLength" : maxLength is not null ? "maxLength" : "pattern");
            }

            return Rule(hint, $"{quote} {Primitive(rule)} {quote} {space}");
        }

        if (obj["pattern"] is { } patternNode)
        {
            if (minLength is not null || maxLength is not null)
            {
                throw new SchemaException("'pattern' together with 'minLength' or 'maxLength' is not supported.", path, minLength is not null ? "minLength" : "maxLength");
            }

            var pattern = patternNode.GetValueKind() == JsonValueKind.String ? patternNode.GetValue<string>() : throw new SchemaException("'pattern' must be a string.", path, "pattern");
            try
            {
                return Rule(hint, $"{quote} ({PatternGrammar.Build(pattern)}) {quote} {space}");
            }
            catch (FormatException ex)
            {
                throw new SchemaException($"The pattern '{pattern}' is not supported: {ex.Message}.", path, "pattern");
            }
        }

        if (minLength is null && maxLength is null)
        {
            return Primitive("string");
        }

        if (maxLength < minLength)
        {
            throw new SchemaException("'maxLength' is below 'minLength'.", path, "maxLength");
        }

        return Rule(hint, $"{quote} {Primitive(JsonGrammarRules.Char)}{Repeat(minLength ?? 0, maxLength)} {quote} {space}");
    }

    private string IntegerRule(JsonObject obj, string path, string hint)
    {
        long? min = null, max = null;
        if (Bound(obj, "minimum", path) is { } minimum) min = (long)Math.Ceiling(minimum);
        if (Bound(obj, "exclusiveMinimum", path) is { } exclusiveMin) min = Math.Max(min ?? long.MinValue, (long)Math.Floor(exclusiveMin) + 1);
        if (Bound(obj, "maximum", path) is { } maximum) max = (long)Math.Floor(maximum);
        if (Bound(obj, "exclusiveMaximum", path) is { } exclusiveMax) max = Math.Min(max ?? long.MaxValue, (long)Math.Ceiling(exclusiveMax) - 1);
        if (min is null && max is null)
        {
            return Primitive("integer");
        }

        if (min > max)
        {
            throw new SchemaException("The integer bounds leave no value.", path, "maximum");
        }

        return Rule(hint, IntegerRangeGrammar.Build(min, max) + " " + Primitive(JsonGrammarRules.Space));
    }

    private string NumberRule(JsonObject obj, string path)
    {
        foreach (var keyword in (string[])["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"])
        {
            if (obj.ContainsKey(keyword))
            {
                throw new SchemaException($"'{keyword}' is supported for integers only, not for type 'number'.", path, keyword);
            }
        }

        return Primitive("number");
    }

    private static double? Bound(JsonObject obj, string keyword, string path)
    {
        if (!obj.TryGetPropertyValue(keyword, out var node) || node is null)
        {
            return null;
        }

        if (node.GetValueKind() != JsonValueKind.Number)
        {
            throw new SchemaException($"'{keyword}' must be a number.", path, keyword);
        }

        var value = node.GetValue<double>();
        return Math.Abs(value) < 1e15 ? value : throw new SchemaException($"'{keyword}' is outside the supported range (|x| < 1e15).", path, keyword);
    }

    private static int? Count(JsonObject obj, string keyword, string path)
    {
        if (!obj.TryGetPropertyValue(keyword, out var node) || node is null)
        {
            return null;
        }

        if (node.GetValueKind() != JsonValueKind.Number || !node.AsValue().TryGetValue<double>(out var value) || value < 0 || value != Math.Floor(value) || value > 100_000)
        {
            throw new SchemaException($"'{keyword}' must be a non-negative integer (at most 100000).", path, keyword);
        }

        return (int)value;
    }
}
