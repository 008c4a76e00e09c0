using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;
using InferenceServer.OpenAI.Protocol;

namespace InferenceServer.OpenAI.Json;

/// <summary>
/// Writes an embedding as OpenAI does: a JSON array of numbers (each float32 in its shortest round-trip form, so
/// it parses back to the same float), or with encoding_format "base64" a base64 string of the little-endian float32
/// bytes. Reads both forms back (tests, clients).
/// </summary>
public sealed class EmbeddingVectorConverter : JsonConverter<EmbeddingVector>
{
    public override EmbeddingVector Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return new EmbeddingVector(FromBase64(reader.GetString()!), Base64: true);
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("An embedding is an array of numbers or a base64 string.");
        }

        var values = new List<float>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            values.Add(reader.GetSingle());
        }

        return new EmbeddingVector([.. values], Base64: false);
    }

    public override void Write(Utf8JsonWriter writer, EmbeddingVector value, JsonSerializerOptions options)
    {
        if (value.Base64)
        {
            writer.WriteStringValue(ToBase64(value.Values));
            return;
        }

        writer.WriteStartArray();
        foreach (float v in value.Values)
        {
            writer.WriteNumberValue(v);
        }

        writer.WriteEndArray();
    }

    public static string ToBase64(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        return Convert.ToBase64String(bytes);
    }

    public static float[] FromBase64(string text)
    {
        byte[] bytes = Convert.FromBase64String(text);
        if (bytes.Length % sizeof(float) != 0)
        {
            throw new JsonException("A base64 embedding must hold whole float32 values.");
        }

        var values = new float[bytes.Length / sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
        }

        return values;
    }
}
