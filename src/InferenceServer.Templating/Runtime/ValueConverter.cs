using System.Collections;
using System.Text.Json;

namespace InferenceServer.Templating.Runtime;

/// <summary>Builds template values from JSON (as Python's <c>json.loads</c> would) and from plain .NET values
/// (strings, numbers, booleans, dictionaries with string keys, sequences). No reflection over other types.</summary>
public static class ValueConverter
{
    public static Value FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => new StringValue(element.GetString()!),
        JsonValueKind.Number => element.TryGetInt64(out var integer) && !IsFloatLiteral(element) ? new IntValue(integer) : new FloatValue(element.GetDouble()),
        JsonValueKind.True => BoolValue.True,
        JsonValueKind.False => BoolValue.False,
        JsonValueKind.Null or JsonValueKind.Undefined => NoneValue.Instance,
        JsonValueKind.Array => new ListValue(element.EnumerateArray().Select(FromJson).ToList()),
        JsonValueKind.Object => FromJsonObject(element),
        _ => NoneValue.Instance,
    };

    private static bool IsFloatLiteral(JsonElement element)
    {
        var raw = element.GetRawText();
        return raw.Contains('.') || raw.Contains('e') || raw.Contains('E');
    }

    private static DictValue FromJsonObject(JsonElement element)
    {
        var dict = new DictValue();
        foreach (var property in element.EnumerateObject())
        {
            dict.Items[new StringValue(property.Name)] = FromJson(property.Value);
        }

        return dict;
    }

    public static Value FromObject(object? value) => value switch
    {
        null => NoneValue.Instance,
        Value v => v,
        string s => new StringValue(s),
        bool b => Value.From(b),
        int i => new IntValue(i),
        long l => new IntValue(l),
        double d => new FloatValue(d),
        float f => new FloatValue(f),
        decimal m => new FloatValue((double)m),
        JsonElement json => FromJson(json),
        IEnumerable<KeyValuePair<string, object?>> pairs => FromPairs(pairs),
        IDictionary dictionary => FromDictionary(dictionary),
        IEnumerable sequence => new ListValue(sequence.Cast<object?>().Select(FromObject).ToList()),
        _ => throw new ArgumentException($"A template value cannot be made from a {value.GetType().Name}.", nameof(value)),
    };

    private static DictValue FromPairs(IEnumerable<KeyValuePair<string, object?>> pairs)
    {
        var dict = new DictValue();
        foreach (var (key, item) in pairs) dict.Set(key, FromObject(item));
        return dict;
    }

    private static DictValue FromDictionary(IDictionary dictionary)
    {
        var dict = new DictValue();
        foreach (DictionaryEntry entry in dictionary) dict.Items[FromObject(entry.Key)] = FromObject(entry.Value);
        return dict;
    }
}
