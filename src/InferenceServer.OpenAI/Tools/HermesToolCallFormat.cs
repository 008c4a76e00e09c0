namespace InferenceServer.OpenAI.Tools;

/// <summary>Hermes / Qwen 2.5+: <c>&lt;tool_call&gt;\n{"name": ..., "arguments": {...}}\n&lt;/tool_call&gt;</c>, one
/// block per call.</summary>
public sealed class HermesToolCallFormat : ToolCallFormat
{
    public const string Open = "<tool_call>";
    public const string Close = "</tool_call>";

    public override string Name => "hermes";
    public override IReadOnlyList<string> Triggers { get; } = [Open];
    protected override int CallDepth => 0;

    public override int SectionStart(string text) => text.IndexOf(Open, StringComparison.Ordinal);

    public override string SectionRule(string call, bool parallel)
    {
        var block = $"\"<tool_call>\" \"\\n\"? {call} \"</tool_call>\"";
        return parallel ? $"{block} (\"\\n\"? {block})*" : block;
    }
}
