using System.Text;

namespace InferenceServer.OpenAI.Tools;

/// <summary>A piece of a streamed assistant message: content text, or a tool call's start (index, name) or a
/// fragment of its arguments.</summary>
public abstract record ToolStreamEvent;

public sealed record ContentEvent(string Text) : ToolStreamEvent;

public sealed record CallStartEvent(int Index, string Name) : ToolStreamEvent;

public sealed record CallArgumentsEvent(int Index, string Fragment) : ToolStreamEvent;

/// <summary>
/// Turns one choice's text deltas into OpenAI stream events: content until the family's call section starts
/// (holding back text that may be the start of its marker), then each call's name as soon as it is written and
/// its arguments in pieces. The pieces concatenate to exactly what <see cref="ToolCallFormat.Parse"/> returns for
/// the whole text. Not thread-safe (one per choice).
/// </summary>
public sealed class ToolCallStream(ToolCallFormat format)
{
    private readonly StringBuilder _text = new();
    private readonly List<int> _argumentsSent = [];
    private int _contentSent;
    private int _sectionStart = -1;

    public int CallCount => _argumentsSent.Count;

    public IReadOnlyList<ToolStreamEvent> Add(string delta)
    {
        _text.Append(delta);
        return Advance(final: false);
    }

    /// <summary>Releases what was held back once the choice has finished.</summary>
    public IReadOnlyList<ToolStreamEvent> Finish() => Advance(final: true);

    private IReadOnlyList<ToolStreamEvent> Advance(bool final)
    {
        var events = new List<ToolStreamEvent>();
        var text = _text.ToString();
        if (_sectionStart < 0)
        {
            _sectionStart = format.SectionStart(text);
            var contentEnd = _sectionStart >= 0 ? _sectionStart : final ? text.Length : text.Length - format.HeldBack(text);
            if (final && _sectionStart < 0 && format is GenericToolCallFormat)
            {
                // The generic answer is {"response": "..."}: its content is known only at the end.
                var parsed = format.Parse(text);
                if (parsed.Content is { Length: > 0 } answer)
                {
                    events.Add(new ContentEvent(answer));
                }

                return events;
            }

            if (contentEnd > _contentSent)
            {
                var content = text[_contentSent..contentEnd];
                if (_sectionStart >= 0)
                {
                    content = content.TrimEnd();
                }

                if (content.Length > 0)
                {
                    events.Add(new ContentEvent(content));
                }

                _contentSent = contentEnd;
            }

            if (_sectionStart < 0)
            {
                return events;
            }
        }

        var calls = format.ScanSection(text[_sectionStart..]);
        for (var i = 0; i < calls.Count; i++)
        {
            var call = calls[i];
            if (call.Name is null || (final && !call.ArgumentsComplete))
            {
                break;
            }

            if (i == _argumentsSent.Count)
            {
                events.Add(new CallStartEvent(i, call.Name));
                _argumentsSent.Add(0);
            }

            if (call.Arguments.Length > _argumentsSent[i])
            {
                events.Add(new CallArgumentsEvent(i, call.Arguments[_argumentsSent[i]..]));
                _argumentsSent[i] = call.Arguments.Length;
            }
        }

        return events;
    }
}
