using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;
using InferenceServer.Core.Grammar;
using InferenceServer.OpenAI.Protocol;

namespace InferenceServer.OpenAI.Mapping;

/// <summary>response_format to the grammar that guarantees it: "json_object" any JSON object, "json_schema" the
/// converted schema (any JSON value when the schema is absent), "text" none. Throws OpenAI-shaped 400s.</summary>
public static partial class ResponseFormatMapper
{
    public const string SchemaParam = "response_format.json_schema.schema";

    public static GrammarConstraint? ToGrammar(ResponseFormat? format, bool? ignoreEos)
    {
        Validate(format);
        if (format?.Type is null or "text")
        {
            return null;
        }

        if (ignoreEos == true)
        {
            throw InferenceException.Invalid("'ignore_eos' cannot be combined with a JSON response_format: the output must end where the JSON ends.", "ignore_eos", "invalid_value");
        }

        if (format.Type == "json_object")
        {
            return new GrammarConstraint(JsonSchemaGrammar.AnyObject());
        }

        var schema = format.JsonSchema!.Schema;
        return new GrammarConstraint(SchemaGrammar(schema is { ValueKind: not System.Text.Json.JsonValueKind.Null } s ? JsonNode.Parse(s.GetRawText()) : JsonValue.Create(true),
            SchemaParam, $"response_format '{format.JsonSchema.Name}'"));
    }

    /// <summary>Converts a schema; a schema the converter cannot honour is a 400 naming the keyword and where it is.</summary>
    public static string SchemaGrammar(JsonNode? schema, string param, string owner)
    {
        try
        {
            return JsonSchemaGrammar.FromSchema(schema);
        }
        catch (SchemaException ex)
        {
            throw InferenceException.Invalid($"Invalid schema for {owner}: {ex.Message} (at '{ex.Location}').", param, ex.Keyword is null ? "invalid_json_schema" : "unsupported_schema_keyword");
        }
    }

    /// <summary>The shape checks of response_format (type, json_schema, its name).</summary>
    public static void Validate(ResponseFormat? format)
    {
        switch (format?.Type)
        {
            case null when format is not null:
                throw InferenceException.Invalid("Missing required parameter: 'response_format.type'.", "response_format.type", "missing_required_parameter");
            case null or "text" or "json_object":
                return;
            case "json_schema":
                break;
            default:
                throw InferenceException.Invalid($"Invalid value: '{format.Type}'. Supported values are: 'text', 'json_object', and 'json_schema'.", "response_format.type", "invalid_value");
        }

        var jsonSchema = format.JsonSchema ?? throw InferenceException.Invalid("Missing required parameter: 'response_format.json_schema'.", "response_format.json_schema", "missing_required_parameter");
        if (jsonSchema.Name is null)
        {
            throw InferenceException.Invalid("Missing required parameter: 'response_format.json_schema.name'.", "response_format.json_schema.name", "missing_required_parameter");
        }

        if (jsonSchema.Name.Length > 64)
        {
            throw InferenceException.Invalid($"Invalid 'response_format.json_schema.name': string too long. Expected a string with maximum length 64, but got a string with length {jsonSchema.Name.Length} instead.", "response_format.json_schema.name", "string_above_max_length");
        }

        if (!NamePattern().IsMatch(jsonSchema.Name))
        {
            throw InferenceException.Invalid("Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.", "response_format.json_schema.name", "invalid_value");
        }
    }

    [GeneratedRegex("^[a-zA-Z0-9_-]+$")]
    public static partial Regex NamePattern();
}
