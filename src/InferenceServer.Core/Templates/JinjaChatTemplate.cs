using InferenceServer.Core.Engine;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;
using InferenceServer.Templating;

namespace InferenceServer.Core.Templates;

/// <summary>
/// A chat template in Jinja (the model's <c>tokenizer.chat_template</c> or a configured one), rendered with the
/// project's engine as transformers renders it. When the tokenizer adds BOS itself, a leading BOS text the template
/// printed is removed (as llama.cpp does), so BOS is never doubled. Thread-safe.
/// </summary>
public sealed class JinjaChatTemplate : IChatTemplate
{
    private readonly Template _template;
    private readonly Template? _toolUse;
    private readonly bool _tokenizerAddsBos;
    private readonly TimeProvider _time;

    private JinjaChatTemplate(string name, Template template, Template? toolUse, string bosToken, string eosToken, bool tokenizerAddsBos, TimeProvider time)
    {
        Name = name;
        _template = template;
        _toolUse = toolUse;
        BosToken = bosToken;
        EosToken = eosToken;
        _tokenizerAddsBos = tokenizerAddsBos;
        _time = time;
    }

    public string Name { get; }
    public string? Source => _template.Source;

    /// <summary>The template used when tools are offered (GGUF <c>tokenizer.chat_template.tool_use</c>), if any.</summary>
    public string? ToolUseSource => _toolUse?.Source;

    public string BosToken { get; }
    public string EosToken { get; }

    /// <summary>Compiles the template(s); a syntax error is an <see cref="InferenceException"/> naming
    /// <paramref name="origin"/>, the line and the column (the server stops at startup).</summary>
    public static JinjaChatTemplate Compile(string name, string source, string? toolUseSource, string origin, TokenTexts tokens, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return new JinjaChatTemplate(name, Parse(source, origin), toolUseSource is null ? null : Parse(toolUseSource, origin + " (tool_use)"),
            tokens.Bos, tokens.Eos, tokens.TokenizerAddsBos, time);
    }

    private static Template Parse(string source, string origin)
    {
        try
        {
            return Template.Parse(source);
        }
        catch (TemplateSyntaxException ex)
        {
            throw new InferenceException(InferenceErrorKind.Internal, $"The chat template from {origin} is not valid Jinja: {ex.Message}.", inner: ex);
        }
    }

    public string Render(ChatTemplateInput input)
    {
        var template = input.Tools is { Count: > 0 } && _toolUse is not null ? _toolUse : _template;
        string text;
        try
        {
            text = template.Render(ChatTemplateContext.Build(input, BosToken, EosToken), _time);
        }
        catch (TemplateRuntimeException ex) when (ex.RaisedByTemplate)
        {
            throw InferenceException.Invalid(ex.Message, "messages", "chat_template_error");
        }
        catch (TemplateException ex)
        {
            throw InferenceException.Invalid($"The chat template could not render this conversation: {ex.Message}", "messages", "chat_template_error");
        }

        return _tokenizerAddsBos && BosToken.Length > 0 && text.StartsWith(BosToken, StringComparison.Ordinal) ? text[BosToken.Length..] : text;
    }
}

/// <summary>The model's BOS/EOS texts and whether its tokenizer adds BOS to every prompt.</summary>
public sealed record TokenTexts(string Bos, string Eos, bool TokenizerAddsBos);
