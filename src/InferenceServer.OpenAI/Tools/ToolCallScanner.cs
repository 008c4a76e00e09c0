namespace InferenceServer.OpenAI.Tools;

/// <summary>A call found in model output: the function name once its string is complete, and the raw JSON text of
/// its arguments so far (complete once the value closed).</summary>
public sealed record ScannedCall(string? Name, string Arguments, bool ArgumentsComplete);

/// <summary>
/// Finds call objects <c>{"name": "...", "&lt;arguments key&gt;": {...}}</c> at a given JSON nesting depth in
/// (possibly unfinished) model output, without parsing it whole, so that a stream can release a call's name as soon
/// as it is written and its arguments piece by piece. Arguments are the raw text of the value as the model wrote
/// it, so streamed pieces concatenate to exactly the non-streamed string. Text outside JSON (markers such as
/// <c>&lt;tool_call&gt;</c>) is skipped; a marker must not contain braces, brackets or quotes.
/// </summary>
public static class ToolCallScanner
{
    public static IReadOnlyList<ScannedCall> Scan(string text, int callDepth, string argumentsKey)
    {
        var calls = new List<ScannedCall>();
        var depth = 0;
        var i = 0;
        string? name = null;
        int argumentsStart = -1;
        var inCall = false;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '"')
            {
                var end = StringEnd(text, i);
                if (inCall && depth == callDepth + 1 && end > 0)
                {
                    var key = Unquote(text[i..(end + 1)]);
                    var colon = SkipSpace(text, end + 1);
                    if (colon < text.Length && text[colon] == ':')
                    {
                        var valueStart = SkipSpace(text, colon + 1);
                        if (key == "name" && valueStart < text.Length && text[valueStart] == '"')
                        {
                            var nameEnd = StringEnd(text, valueStart);
                            if (nameEnd < 0)
                            {
                                break; // the name is still being written
                            }

                            name = Unquote(text[valueStart..(nameEnd + 1)]);
                            i = nameEnd + 1;
                            continue;
                        }

                        if (key == argumentsKey && valueStart < text.Length)
                        {
                            argumentsStart = valueStart;
                            var valueEnd = ValueEnd(text, valueStart);
                            if (valueEnd < 0)
                            {
                                calls.Add(new ScannedCall(name, text[valueStart..], false));
                                return calls;
                            }

                            calls.Add(new ScannedCall(name, text[valueStart..valueEnd], true));
                            i = valueEnd;
                            continue;
                        }
                    }
                }

                if (end < 0)
                {
                    break;
                }

                i = end + 1;
                continue;
            }

            if (c is '{' or '[')
            {
                if (c == '{' && depth == callDepth)
                {
                    inCall = true;
                    name = null;
                    argumentsStart = -1;
                }

                depth++;
            }
            else if (c is '}' or ']')
            {
                depth = Math.Max(0, depth - 1);
                if (depth == callDepth && inCall)
                {
                    if (argumentsStart < 0 && name is not null)
                    {
                        calls.Add(new ScannedCall(name, "{}", true)); // a call without arguments
                    }

                    inCall = false;
                }
            }

            i++;
        }

        if (inCall && argumentsStart < 0 && name is not null)
        {
            calls.Add(new ScannedCall(name, "", false));
        }

        return calls;
    }

    /// <summary>Index of the closing quote of the string starting at <paramref name="start"/>; -1 if unfinished.</summary>
    private static int StringEnd(string text, int start)
    {
        for (var i = start + 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == '"')
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>End (exclusive) of the JSON value starting at <paramref name="start"/>; -1 if unfinished.</summary>
    private static int ValueEnd(string text, int start)
    {
        if (text[start] == '"')
        {
            var end = StringEnd(text, start);
            return end < 0 ? -1 : end + 1;
        }

        if (text[start] is not ('{' or '['))
        {
            for (var i = start; i < text.Length; i++)
            {
                if (text[i] is ',' or '}' or ']' || char.IsWhiteSpace(text[i]))
                {
                    return i;
                }
            }

            return -1;
        }

        var depth = 0;
        for (var i = start; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '"':
                    var end = StringEnd(text, i);
                    if (end < 0)
                    {
                        return -1;
                    }

                    i = end;
                    break;
                case '{' or '[':
                    depth++;
                    break;
                case '}' or ']':
                    if (--depth == 0)
                    {
                        return i + 1;
                    }

                    break;
            }
        }

        return -1;
    }

    private static int SkipSpace(string text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return i;
    }

    private static string Unquote(string quoted)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(quoted);
            return document.RootElement.GetString() ?? "";
        }
        catch (System.Text.Json.JsonException)
        {
            return quoted.Trim('"');
        }
    }
}
