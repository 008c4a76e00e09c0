using InferenceServer.Core.Grammar;

namespace InferenceServer.OpenAI.Tools;

/// <summary>What a model wrote: its text before any call (null when there is none) and the calls it made.</summary>
public sealed record ParsedToolOutput(string? Content, IReadOnlyList<ParsedToolCall> Calls);

/// <summary>One complete call: the function name and its arguments as JSON text.</summary>
public sealed record ParsedToolCall(string Name, string Arguments);

/// <summary>
/// How one model family writes tool calls: where the call section starts, the GBNF that forces it, and how to
/// read it back. Each call is the JSON object <c>{"name": ..., "&lt;arguments key&gt;": {...}}</c>; the families
/// differ in the wrapping around the calls.
/// </summary>
public abstract class ToolCallFormat
{
    public abstract string Name { get; }

    /// <summary>Strings that open the call section (lazy-grammar triggers in auto mode). Empty: the whole output
    /// is JSON and auto mode is constrained from the first token (generic format).</summary>
    public abstract IReadOnlyList<string> Triggers { get; }

    /// <summary>"arguments" (OpenAI, Hermes, Mistral) or "parameters" (Llama 3.x).</summary>
    public virtual string ArgumentsKey => "arguments";

    /// <summary>JSON nesting depth of the call objects in the section text (after <see cref="MarkerLength"/>).</summary>
    protected abstract int CallDepth { get; }

    /// <summary>Where the call section starts in <paramref name="text"/>, or -1.</summary>
    public abstract int SectionStart(string text);

    /// <summary>Characters at the start of the section that are a marker, not JSON (skipped when scanning).</summary>
    protected virtual int MarkerLength(string section) => 0;

    /// <summary>The GBNF body of the whole call section, where <paramref name="call"/> names the rule of one call
    /// and <paramref name="parallel"/> allows more than one.</summary>
    public abstract string SectionRule(string call, bool parallel);

    /// <summary>GBNF for one call of <paramref name="function"/> whose arguments follow <paramref name="arguments"/>.</summary>
    public string CallRule(string function, string arguments) =>
        $"\"{{\" {Gbnf.Literal("\"name\"")} space \":\" space {Gbnf.Literal(System.Text.Json.JsonSerializer.Serialize(function, Json.OpenAiJsonContext.Default.String))} space \",\" space {Gbnf.Literal($"\"{ArgumentsKey}\"")} space \":\" space {arguments} \"}}\" space";

    /// <summary>The calls written so far (the last may be unfinished), for streaming.</summary>
    public IReadOnlyList<ScannedCall> ScanSection(string section) =>
        ToolCallScanner.Scan(section[MarkerLength(section)..], CallDepth, ArgumentsKey);

    /// <summary>Splits finished output into content and calls.</summary>
    public virtual ParsedToolOutput Parse(string text)
    {
        var start = SectionStart(text);
        if (start < 0)
        {
            return new ParsedToolOutput(text, []);
        }

        var calls = ScanSection(text[start..]).Where(c => c.Name is not null && c.ArgumentsComplete)
            .Select(c => new ParsedToolCall(c.Name!, c.Arguments)).ToList();
        if (calls.Count == 0)
        {
            return new ParsedToolOutput(text, []);
        }

        var content = text[..start].TrimEnd();
        return new ParsedToolOutput(content.Length == 0 ? null : content, calls);
    }

    /// <summary>How many trailing characters must not be streamed as content yet: a possible start of a section
    /// marker and the whitespace before it (dropped when a section follows).</summary>
    public virtual int HeldBack(string text)
    {
        var hold = MarkerPrefix(text);
        while (hold < text.Length && char.IsWhiteSpace(text[text.Length - hold - 1]))
        {
            hold++;
        }

        return hold;
    }

    private int MarkerPrefix(string text)
    {
        var hold = 0;
        foreach (var trigger in Triggers)
        {
            for (var length = Math.Min(trigger.Length - 1, text.Length); length > hold; length--)
            {
                if (text.EndsWith(trigger[..length], StringComparison.Ordinal))
                {
                    hold = length;
                    break;
                }
            }
        }

        return hold;
    }
}
