using System.Text.Json;
using System.Text.Json.Serialization;
using InferenceServer.OpenAI.Protocol;

namespace InferenceServer.OpenAI.Json;

/// <summary>prompt / input: string | string[] | int[] | int[][].</summary>
public sealed class PromptInputConverter : JsonConverter<PromptInput?>
{
    private const string TypeError = "Invalid type: expected a string, an array of strings, an array of integers or an array of integer arrays.";

    public override PromptInput? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return PromptInput.FromTexts(reader.GetString()!);
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException(TypeError);
        }

        var texts = new List<string>();
        var flatTokens = new List<int>();
        var tokenLists = new List<IReadOnlyList<int>>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    texts.Add(reader.GetString()!);
                    break;
                case JsonTokenType.Number when reader.TryGetInt32(out var token):
                    flatTokens.Add(token);
                    break;
                case JsonTokenType.StartArray:
                    tokenLists.Add(ReadTokens(ref reader));
                    break;
                default:
                    throw new JsonException(TypeError);
            }
        }

        var kinds = (texts.Count > 0 ? 1 : 0) + (flatTokens.Count > 0 ? 1 : 0) + (tokenLists.Count > 0 ? 1 : 0);
        if (kinds > 1)
        {
            throw new JsonException(TypeError);
        }

        if (flatTokens.Count > 0)
        {
            return PromptInput.FromTokens(flatTokens);
        }

        if (tokenLists.Count > 0)
        {
            return new PromptInput { TokenLists = tokenLists };
        }

        return new PromptInput { Texts = texts };
    }

    private static List<int> ReadTokens(ref Utf8JsonReader reader)
    {
        var tokens = new List<int>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var token))
            {
                throw new JsonException(TypeError);
            }

            tokens.Add(token);
        }

        return tokens;
    }

    public override void Write(Utf8JsonWriter writer, PromptInput? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }

        if (value.Texts is { Count: 1 } single)
        {
            writer.WriteStringValue(single[0]);
            return;
        }

        writer.WriteStartArray();
        if (value.Texts is not null)
        {
            foreach (var t in value.Texts)
            {
                writer.WriteStringValue(t);
            }
        }
        else if (value.TokenLists is not null)
        {
            foreach (var list in value.TokenLists)
            {
                writer.WriteStartArray();
                foreach (var t in list)
                {
                    writer.WriteNumberValue(t);
                }

                writer.WriteEndArray();
            }
        }

        writer.WriteEndArray();
    }
}
