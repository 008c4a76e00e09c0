using System.Text.Json;
using System.Text.Json.Serialization;
using InferenceServer.OpenAI.Protocol;

namespace InferenceServer.OpenAI.Json;

/// <summary>Message content: string | array of content parts | null.</summary>
public sealed class MessageContentConverter : JsonConverter<MessageContent?>
{
    public override MessageContent? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return MessageContent.FromText(reader.GetString()!);
            case JsonTokenType.StartArray:
                var parts = new List<ContentPart>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        throw new JsonException("Invalid type for content part: expected an object.");
                    }

                    parts.Add(JsonSerializer.Deserialize(ref reader, OpenAiJsonContext.Default.ContentPart)!);
                }

                return MessageContent.FromParts(parts);
            default:
                throw new JsonException("Invalid type for message content: expected a string or an array of content parts.");
        }
    }

    public override void Write(Utf8JsonWriter writer, MessageContent? value, JsonSerializerOptions options)
    {
        if (value?.Parts is { } parts)
        {
            writer.WriteStartArray();
            foreach (var part in parts)
            {
                JsonSerializer.Serialize(writer, part, OpenAiJsonContext.Default.ContentPart);
            }

            writer.WriteEndArray();
        }
        else if (value?.Text is { } text)
        {
            writer.WriteStringValue(text);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
