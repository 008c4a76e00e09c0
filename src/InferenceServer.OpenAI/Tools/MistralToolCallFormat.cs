using System.Text.RegularExpressions;

namespace InferenceServer.OpenAI.Tools;

/// <summary>Mistral (v0.3 tokenizer and later): <c>[TOOL_CALLS][{"name": ..., "arguments": {...}}, ...]</c>. Where
/// <c>[TOOL_CALLS]</c> is a control token it never appears in the text, so the JSON array alone also opens a section.</summary>
public sealed partial class MistralToolCallFormat : ToolCallFormat
{
    public const string Marker = "[TOOL_CALLS]";

    public override string Name => "mistral";
    public override IReadOnlyList<string> Triggers { get; } = [Marker, "[{\"name\""];
    protected override int CallDepth => 1;

    public override int SectionStart(string text)
    {
        var marker = text.IndexOf(Marker, StringComparison.Ordinal);
        var array = ArrayStart().Match(text) is { Success: true } m ? m.Index : -1;
        return marker < 0 ? array : array < 0 ? marker : Math.Min(marker, array);
    }

    protected override int MarkerLength(string section) => section.StartsWith(Marker, StringComparison.Ordinal) ? Marker.Length : 0;

    public override string SectionRule(string call, bool parallel) =>
        $"\"[TOOL_CALLS]\"? \"[\" space {call}{(parallel ? $" (\",\" space {call})*" : "")} \"]\" space";

    [GeneratedRegex("\\[\\s*\\{\\s*\"name\"")]
    private static partial Regex ArrayStart();
}
