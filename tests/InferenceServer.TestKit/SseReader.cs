using System.Text;

namespace InferenceServer.TestKit;

/// <summary>What an SSE response body held.</summary>
public sealed class SseStream
{
    /// <summary>The payload of every `data:` event before [DONE], in order.</summary>
    public List<string> Data { get; } = [];
    /// <summary>Comment lines (": ping"), without the leading colon.</summary>
    public List<string> Comments { get; } = [];
    /// <summary>Lines that are neither data, comments nor blank (event:, id:, retry:, garbage).</summary>
    public List<string> OtherLines { get; } = [];
    /// <summary>Framing violations: multi-line events, missing blank line, events after [DONE], no [DONE].</summary>
    public List<string> FramingErrors { get; } = [];
    public bool SawDone { get; internal set; }

    /// <summary>Throws when the stream is not `data: …\n\n` events ended by `data: [DONE]\n\n`.</summary>
    public SseStream EnsureWellFormed()
    {
        var problems = new List<string>(FramingErrors);
        if (!SawDone)
        {
            problems.Add("stream did not end with data: [DONE]");
        }

        if (OtherLines.Count > 0)
        {
            problems.Add("unexpected lines: " + string.Join(" | ", OtherLines));
        }

        return problems.Count == 0 ? this : throw new InvalidOperationException("Bad SSE framing: " + string.Join("; ", problems));
    }
}

/// <summary>Parses an SSE response (as OpenAI streams it) into data payloads; stops at [DONE].</summary>
public static class SseReader
{
    public const string DoneMarker = "[DONE]";

    public static async Task<SseStream> ReadAllAsync(Stream body, CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(body, Encoding.UTF8);
        return Parse(await reader.ReadToEndAsync(cancellationToken));
    }

    /// <summary>Yields each data payload as it arrives (for tests that act mid-stream); ends at [DONE] or EOF.</summary>
    public static async IAsyncEnumerable<string> ReadEventsAsync(Stream body, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(body, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal))
            {
                continue;
            }

            var payload = Payload(line);
            if (payload == DoneMarker)
            {
                yield break;
            }

            yield return payload;
        }
    }

    public static SseStream Parse(string text)
    {
        var result = new SseStream();
        // Events are separated by a blank line; a well-formed OpenAI event is exactly one data line.
        var normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (normalized.Length > 0 && !normalized.EndsWith("\n\n", StringComparison.Ordinal))
        {
            result.FramingErrors.Add("stream does not end with a blank line");
        }

        foreach (var block in normalized.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = block.Split('\n');
            var dataLines = 0;
            foreach (var line in lines)
            {
                if (line.StartsWith(':'))
                {
                    result.Comments.Add(line[1..].TrimStart());
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    dataLines++;
                    var payload = Payload(line);
                    if (result.SawDone)
                    {
                        result.FramingErrors.Add("event after [DONE]: " + payload);
                    }
                    else if (payload == DoneMarker)
                    {
                        result.SawDone = true;
                    }
                    else
                    {
                        result.Data.Add(payload);
                    }
                }
                else if (line.Length > 0)
                {
                    result.OtherLines.Add(line);
                }
            }

            if (dataLines > 1)
            {
                result.FramingErrors.Add("event with several data lines");
            }
        }

        return result;
    }

    private static string Payload(string line)
    {
        var payload = line["data:".Length..];
        return payload.StartsWith(' ') ? payload[1..] : payload;
    }
}
