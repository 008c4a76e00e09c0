namespace InferenceServer.Templating;

/// <summary>Base of every error the template engine raises; <see cref="Exception.Message"/> is fit for a client.</summary>
public abstract class TemplateException : Exception
{
    protected TemplateException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>The template source is not valid Jinja: <see cref="Line"/> and <see cref="Column"/> are 1-based.</summary>
public sealed class TemplateSyntaxException : TemplateException
{
    public TemplateSyntaxException(string reason, int line, int column)
        : base($"{reason} (line {line}, column {column})")
    {
        Reason = reason;
        Line = line;
        Column = column;
    }

    public string Reason { get; }
    public int Line { get; }
    public int Column { get; }
}

/// <summary>Rendering failed: an undefined value used where a value is needed, a wrong type, or
/// <c>raise_exception(...)</c> called by the template (then <see cref="RaisedByTemplate"/> is true and the message is
/// the template's own).</summary>
public sealed class TemplateRuntimeException : TemplateException
{
    public TemplateRuntimeException(string message, bool raisedByTemplate = false)
        : base(message) => RaisedByTemplate = raisedByTemplate;

    public bool RaisedByTemplate { get; }
}

/// <summary>A sandbox limit (output size, loop iterations, recursion depth) was reached.</summary>
public sealed class TemplateLimitException : TemplateException
{
    public TemplateLimitException(string message)
        : base(message)
    {
    }
}
