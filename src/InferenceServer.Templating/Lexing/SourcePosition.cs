namespace InferenceServer.Templating.Lexing;

/// <summary>Maps source offsets to 1-based line and column numbers.</summary>
public sealed class SourcePosition
{
    private readonly List<int> _lineStarts = [0];

    public SourcePosition(string source)
    {
        for (var i = 0; i < source.Length; i++)
        {
            if (source[i] == '\n') _lineStarts.Add(i + 1);
        }
    }

    public (int Line, int Column) Locate(int offset)
    {
        var index = _lineStarts.BinarySearch(offset);
        var line = index >= 0 ? index : ~index - 1;
        return (line + 1, offset - _lineStarts[line] + 1);
    }

    public TemplateSyntaxException Error(string reason, int offset)
    {
        var (line, column) = Locate(offset);
        return new TemplateSyntaxException(reason, line, column);
    }
}
