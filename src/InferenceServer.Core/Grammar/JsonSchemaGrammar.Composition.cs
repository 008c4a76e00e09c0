using System.Text.Json.Nodes;

namespace InferenceServer.Core.Grammar;

/// <summary>Local <c>$ref</c> resolution and the shallow merge behind <c>allOf</c> and siblings of
/// <c>anyOf</c>/<c>oneOf</c>.</summary>
public sealed partial class JsonSchemaGrammar
{
    private static readonly HashSet<string> TakeLargest = new(StringComparer.Ordinal) { "minimum", "exclusiveMinimum", "minLength", "minItems" };
    private static readonly HashSet<string> TakeSmallest = new(StringComparer.Ordinal) { "maximum", "exclusiveMaximum", "maxLength", "maxItems" };

    private string VisitRef(JsonObject obj, JsonNode reference, string path)
    {
        var target = reference is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new SchemaException("'$ref' must be a string.", path, "$ref");
        var siblings = Without(obj, "$ref");
        siblings.Remove("$defs");
        siblings.Remove("definitions");
        if (siblings.Any(p => !Annotations.Contains(p.Key)))
        {
            return Visit(Resolve(obj, path), path, "ref");
        }

        if (_refRules.TryGetValue(target, out var known))
        {
            return known;
        }

        var node = Lookup(target, path);
        var name = NewName(_refPrefix + (target.Length > 2 ? target[(target.LastIndexOf('/') + 1)..] : "root-ref"));
        _refRules[target] = name;
        return Define(name, Visit(node, target, name));
    }

    /// <summary>The schema a <c>$ref</c> names (only references inside this document: "#" or "#/...").</summary>
    private JsonNode? Lookup(string target, string path)
    {
        if (!target.StartsWith('#'))
        {
            throw new SchemaException($"The remote $ref '{target}' is refused: only local references ('#/$defs/...') are supported.", path, "$ref");
        }

        JsonNode? node = _document;
        foreach (var raw in target.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var segment = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            node = node switch
            {
                JsonObject o when o.TryGetPropertyValue(segment, out var child) => child,
                JsonArray a when int.TryParse(segment, out var index) && index >= 0 && index < a.Count => a[index],
                _ => throw new SchemaException($"The $ref '{target}' points at nothing in this schema.", path, "$ref"),
            };
        }

        return node;
    }

    /// <summary>A subschema with its <c>$ref</c> (if any) replaced by the referenced schema merged with its siblings.</summary>
    private JsonNode? Resolve(JsonNode? schema, string path)
    {
        for (var depth = 0; schema is JsonObject o && o["$ref"] is JsonValue r && r.TryGetValue<string>(out var target); depth++)
        {
            if (depth > 32)
            {
                throw new SchemaException("$ref chain too deep.", path, "$ref");
            }

            var siblings = Without(o, "$ref");
            var resolved = Lookup(target, path);
            schema = siblings.Count == 0 ? resolved?.DeepClone() : Merge(siblings, resolved, path);
        }

        return schema;
    }

    /// <summary>Both schemas at once (allOf): properties merged (a property in both gets an allOf of the two),
    /// required united, the tighter of two bounds kept; any other conflicting keyword is unsupported.</summary>
    private JsonObject Merge(JsonObject a, JsonNode? b, string path)
    {
        var result = (JsonObject)a.DeepClone();
        switch (b)
        {
            case JsonValue v when v.TryGetValue<bool>(out var accept):
                return accept ? result : throw new SchemaException("allOf with the schema 'false' accepts nothing.", path);
            case not JsonObject:
                throw new SchemaException("A schema must be an object or a boolean.", path);
        }

        foreach (var (key, value) in (JsonObject)b)
        {
            if (!result.TryGetPropertyValue(key, out var existing))
            {
                result[key] = value?.DeepClone();
                continue;
            }

            if (JsonNode.DeepEquals(existing, value))
            {
                continue;
            }

            result[key] = key switch
            {
                "properties" => MergeProperties((JsonObject)existing!, value as JsonObject ?? throw new SchemaException("'properties' must be an object.", path, key)),
                "required" => new JsonArray([.. ((JsonArray)existing!).Concat((JsonArray)value!).Select(n => n!.GetValue<string>()).Distinct().Select(n => (JsonNode)n)]),
                "type" when Narrower(existing, value) is { } type => type,
                _ when TakeLargest.Contains(key) => Math.Max(existing!.GetValue<double>(), value!.GetValue<double>()),
                _ when TakeSmallest.Contains(key) => Math.Min(existing!.GetValue<double>(), value!.GetValue<double>()),
                _ when Annotations.Contains(key) => existing?.DeepClone(),
                "allOf" or "anyOf" or "oneOf" => throw new SchemaException($"Nested '{key}' in two merged schemas is not supported.", path, key),
                _ => throw new SchemaException($"allOf merges two different values of '{key}', which is not supported.", path, key),
            };
        }

        return result;
    }

    private static JsonObject MergeProperties(JsonObject a, JsonObject b)
    {
        var result = (JsonObject)a.DeepClone();
        foreach (var (name, schema) in b)
        {
            result[name] = result.TryGetPropertyValue(name, out var existing) && !JsonNode.DeepEquals(existing, schema)
                ? new JsonObject { ["allOf"] = new JsonArray(existing!.DeepClone(), schema?.DeepClone()) }
                : schema?.DeepClone();
        }

        return result;
    }

    private static JsonNode? Narrower(JsonNode? a, JsonNode? b)
    {
        var left = a?.GetValueKind() == System.Text.Json.JsonValueKind.String ? a.GetValue<string>() : null;
        var right = b?.GetValueKind() == System.Text.Json.JsonValueKind.String ? b.GetValue<string>() : null;
        return (left, right) switch
        {
            ("number", "integer") or ("integer", "number") => "integer",
            _ => null,
        };
    }
}
