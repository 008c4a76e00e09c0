using System.Text.Json;
using System.Text.Json.Serialization;
using InferenceServer.OpenAI.Protocol;

namespace InferenceServer.OpenAI.Json;

/// <summary>Writes <see cref="ChunkUsage"/> as its usage object or as an explicit null.</summary>
public sealed class ChunkUsageConverter : JsonConverter<ChunkUsage>
{
    public override ChunkUsage? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null
            ? ChunkUsage.Null
            : new ChunkUsage(JsonSerializer.Deserialize(ref reader, OpenAiJsonContext.Default.UsageDto));

    public override void Write(Utf8JsonWriter writer, ChunkUsage value, JsonSerializerOptions options)
    {
        if (value.Value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            JsonSerializer.Serialize(writer, value.Value, OpenAiJsonContext.Default.UsageDto);
        }
    }
}
