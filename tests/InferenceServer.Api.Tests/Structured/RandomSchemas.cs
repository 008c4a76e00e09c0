using System.Text.Json.Nodes;

namespace InferenceServer.Api.Tests.Structured;

/// <summary>
/// Random JSON Schemas whose instances are bounded in length: nested objects with required and optional
/// properties, arrays with item bounds and prefix items, enums, consts, type unions with null, integers with
/// bounds, strings with lengths, patterns and formats, anyOf/oneOf of objects with a discriminating const, allOf
/// merges, local $refs. Deterministic for a seed.
/// </summary>
internal sealed class RandomSchemas(int seed)
{
    private static readonly string[] Patterns = ["^[A-Z]{2}-\\d{3}$", "^(red|green|blue)$", "^[a-f0-9]{4,8}$", "^\\w{1,5}@x\\.io$", "^[^\"\\\\]{0,6}$", "^(ab)?c{1,3}[.-]z$"];
    private static readonly string[] Formats = ["date", "time", "date-time", "uuid", "email"];
    private static readonly string[] Words = ["id", "name", "count", "tags", "kind", "value", "ok", "items", "meta", "x_y", "size", "ref"];
    private readonly Random _random = new(seed);

    public JsonObject Next()
    {
        var root = Value(depth: 0, forceObject: _random.Next(3) > 0);
        if (_random.Next(8) == 0)
        {
            // Move the root into $defs and point at it.
            return new JsonObject { ["$defs"] = new JsonObject { ["main"] = root }, ["$ref"] = "#/$defs/main" };
        }

        return root;
    }

    private JsonObject Value(int depth, bool forceObject = false)
    {
        var pick = forceObject ? 0 : _random.Next(depth >= 2 ? 5 : 10);
        return pick switch
        {
            0 => Object(depth),
            1 => StringSchema(),
            2 => Integer(),
            3 => _random.Next(2) == 0 ? new JsonObject { ["type"] = "boolean" } : new JsonObject { ["type"] = "number" },
            4 => Enum(),
            5 => Array(depth),
            6 => new JsonObject { ["type"] = new JsonArray(_random.Next(2) == 0 ? "integer" : "boolean", "null") },
            7 => Discriminated(depth),
            8 => AllOf(depth),
            _ => new JsonObject { ["const"] = _random.Next(2) == 0 ? "fixed" : JsonValue.Create(_random.Next(100)) },
        };
    }

    private JsonObject Object(int depth)
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var name in Words.OrderBy(_ => _random.Next()).Take(_random.Next(1, 5)))
        {
            properties[name] = Value(depth + 1);
            if (_random.Next(2) == 0)
            {
                required.Add(name);
            }
        }

        var result = new JsonObject { ["type"] = "object", ["properties"] = properties, ["required"] = required };
        if (_random.Next(2) == 0)
        {
            result["additionalProperties"] = false;
        }

        return result;
    }

    private JsonObject StringSchema() => _random.Next(4) switch
    {
        0 => new JsonObject { ["type"] = "string", ["pattern"] = Patterns[_random.Next(Patterns.Length)] },
        1 => new JsonObject { ["type"] = "string", ["format"] = Formats[_random.Next(Formats.Length)] },
        _ => Lengths(),
    };

    private JsonObject Lengths()
    {
        var min = _random.Next(0, 4);
        return new JsonObject { ["type"] = "string", ["minLength"] = min, ["maxLength"] = min + _random.Next(0, 8) };
    }

    private JsonObject Integer()
    {
        var schema = new JsonObject { ["type"] = "integer" };
        var low = _random.Next(-1000, 1000);
        switch (_random.Next(4))
        {
            case 0:
                schema["minimum"] = low;
                schema["maximum"] = low + _random.Next(0, 2000);
                break;
            case 1:
                schema["exclusiveMinimum"] = low;
                schema["exclusiveMaximum"] = low + _random.Next(2, 50);
                break;
            case 2:
                schema["minimum"] = low;
                break;
            default:
                schema["maximum"] = low;
                break;
        }

        return schema;
    }

    private JsonObject Enum()
    {
        var values = new JsonArray();
        foreach (var value in new JsonNode?[] { "alpha", "beta gamma", 42, true, null, "ü\"q" }.OrderBy(_ => _random.Next()).Take(_random.Next(1, 4)))
        {
            values.Add(value?.DeepClone());
        }

        return new JsonObject { ["enum"] = values };
    }

    private JsonObject Array(int depth)
    {
        var min = _random.Next(0, 3);
        var schema = new JsonObject { ["type"] = "array", ["items"] = Value(depth + 1), ["minItems"] = min, ["maxItems"] = min + _random.Next(0, 3) };
        if (_random.Next(3) == 0)
        {
            schema["prefixItems"] = new JsonArray(Value(depth + 1), Value(depth + 1));
            schema["minItems"] = 2;
            schema["maxItems"] = 2 + _random.Next(0, 2);
        }

        return schema;
    }

    private JsonObject Discriminated(int depth)
    {
        var alternatives = new JsonArray();
        for (var i = 0; i < _random.Next(2, 4); i++)
        {
            var variant = Object(depth + 1);
            ((JsonObject)variant["properties"]!)["kind"] = new JsonObject { ["const"] = $"k{i}" };
            var required = (JsonArray)variant["required"]!;
            if (!required.Any(r => r!.GetValue<string>() == "kind"))
            {
                required.Add("kind");
            }

            alternatives.Add(variant);
        }

        return new JsonObject { [_random.Next(2) == 0 ? "anyOf" : "oneOf"] = alternatives };
    }

    private JsonObject AllOf(int depth) => new()
    {
        ["allOf"] = new JsonArray(
            new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["first"] = Value(depth + 2) }, ["required"] = new JsonArray("first") },
            new JsonObject { ["properties"] = new JsonObject { ["second"] = Lengths() }, ["required"] = new JsonArray("second") }),
    };
}
