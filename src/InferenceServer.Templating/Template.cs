using InferenceServer.Templating.Lexing;
using InferenceServer.Templating.Parsing;
using InferenceServer.Templating.Runtime;

namespace InferenceServer.Templating;

/// <summary>
/// A compiled Jinja template. <see cref="Parse"/> once (syntax errors are <see cref="TemplateSyntaxException"/>
/// with line and column), then <see cref="Render"/> any number of times from any thread: the syntax tree is
/// immutable and every render has its own interpreter state.
/// </summary>
public sealed class Template
{
    private readonly IReadOnlyList<Node> _nodes;

    private Template(string source, IReadOnlyList<Node> nodes, TemplateOptions options)
    {
        Source = source;
        _nodes = nodes;
        Options = options;
    }

    public string Source { get; }
    public TemplateOptions Options { get; }

    public static Template Parse(string source, TemplateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= TemplateOptions.ChatTemplate;
        return new Template(source, Parser.Parse(Lexer.Normalize(source, options), options), options);
    }

    /// <summary>Renders with <paramref name="variables"/> on top of the globals; <paramref name="time"/> is the clock
    /// of <c>strftime_now</c> (system clock when null).</summary>
    public string Render(IReadOnlyDictionary<string, Value> variables, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(variables);
        try
        {
            return new Interpreter(Options, time ?? TimeProvider.System).Render(_nodes, variables);
        }
        catch (InsufficientExecutionStackException)
        {
            throw new TemplateLimitException("template nesting is too deep");
        }
        catch (OverflowException ex)
        {
            throw new TemplateRuntimeException(ex.Message);
        }
    }

    /// <summary>Renders with plain .NET values (see <see cref="ValueConverter.FromObject"/>).</summary>
    public string Render(IReadOnlyDictionary<string, object?> variables, TimeProvider? time = null) =>
        Render(variables.ToDictionary(p => p.Key, p => ValueConverter.FromObject(p.Value), StringComparer.Ordinal), time);
}
