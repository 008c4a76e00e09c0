using System.Text.RegularExpressions;

namespace InferenceServer.OpenAI.Tools;

/// <summary>Llama 3.1 / 3.2 / 3.3 JSON tool calling: <c>{"name": ..., "parameters": {...}}</c>; several calls
/// separated by ";".</summary>
public sealed partial class Llama3ToolCallFormat : ToolCallFormat
{
    public override string Name => "llama3";
    public override IReadOnlyList<string> Triggers { get; } = ["{\"name\""];
    public override string ArgumentsKey => "parameters";
    protected override int CallDepth => 0;

    public override int SectionStart(string text) => CallStart().Match(text) is { Success: true } m ? m.Index : -1;

    public override string SectionRule(string call, bool parallel) =>
        parallel ? $"{call} (\";\" space {call})*" : call;

    [GeneratedRegex("\\{\\s*\"name\"")]
    private static partial Regex CallStart();
}
