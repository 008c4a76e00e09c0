using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace InferenceServer.OpenAI.Tests;

/// <summary>Helpers to assert exact key sets of serialized wire objects.</summary>
internal static class JsonShape
{
    public static JsonElement Serialize<T>(T value, JsonTypeInfo<T> info) =>
        JsonDocument.Parse(JsonSerializer.Serialize(value, info)).RootElement.Clone();

    public static void Keys(JsonElement element, params string[] expected)
    {
        Assert.Equal(JsonValueKind.Object, element.ValueKind);
        var actual = element.EnumerateObject().Select(p => p.Name).OrderBy(k => k, StringComparer.Ordinal).ToArray();
        Assert.Equal(expected.OrderBy(k => k, StringComparer.Ordinal).ToArray(), actual);
    }

    public static void IsNull(JsonElement element, string property) =>
        Assert.Equal(JsonValueKind.Null, element.GetProperty(property).ValueKind);
}
