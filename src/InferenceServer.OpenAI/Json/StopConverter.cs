using System.Text.Json;
using System.Text.Json.Serialization;

namespace InferenceServer.OpenAI.Json;

/// <summary>stop: string | string[] | null, read as a list.</summary>
public sealed class StopConverter : JsonConverter<List<string>?>
{
    public override bool HandleNull => true;

    public override List<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return [reader.GetString()!];
            case JsonTokenType.StartArray:
                var list = new List<string>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        throw new JsonException("Invalid type for 'stop': expected a string or an array of strings.");
                    }

                    list.Add(reader.GetString()!);
                }

                return list;
            default:
                throw new JsonException("Invalid type for 'stop': expected a string or an array of strings.");
        }
    }

    public override void Write(Utf8JsonWriter writer, List<string>? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartArray();
        foreach (var s in value)
        {
            writer.WriteStringValue(s);
        }

        writer.WriteEndArray();
    }
}
