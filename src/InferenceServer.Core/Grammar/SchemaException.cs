namespace InferenceServer.Core.Grammar;

/// <summary>A JSON Schema the converter cannot honour: invalid, or using a keyword or feature it does not support.
/// <see cref="Location"/> is the JSON pointer of the offending subschema.</summary>
public sealed class SchemaException(string message, string location, string? keyword = null) : Exception(message)
{
    public string Location { get; } = location;
    /// <summary>The unsupported keyword, when that is the reason.</summary>
    public string? Keyword { get; } = keyword;
}
