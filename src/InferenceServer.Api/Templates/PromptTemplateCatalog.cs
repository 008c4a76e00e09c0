using InferenceServer.Core.Errors;
using InferenceServer.Core.Templates;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace InferenceServer.Api.Templates;

/// <summary>
/// The configured prompt templates, compiled, looked up by the "prompt_template" request field or served as models
/// of their own. Follows configuration reloads (an edited appsettings.json takes effect without a restart); a reload
/// that is invalid is logged and the previous templates stay in force. Thread-safe.
/// </summary>
public sealed class PromptTemplateCatalog : IDisposable
{
    private readonly IConfiguration _configuration;
    private readonly ILogger<PromptTemplateCatalog> _logger;
    private readonly IDisposable _reloadRegistration;
    private volatile IReadOnlyDictionary<string, CompiledPromptTemplate> _templates;

    public PromptTemplateCatalog(IOptions<PromptTemplateOptions> startup, IConfiguration configuration, ILogger<PromptTemplateCatalog> logger)
    {
        _configuration = configuration;
        _logger = logger;
        _templates = Compile(startup.Value);
        _reloadRegistration = ChangeToken.OnChange(configuration.GetReloadToken, Reload);
    }

    /// <summary>The templates now in force, by name (case-insensitive).</summary>
    public IReadOnlyDictionary<string, CompiledPromptTemplate> All => _templates;

    public bool TryGet(string name, out CompiledPromptTemplate template) => _templates.TryGetValue(name, out template!);

    /// <summary>Null when <paramref name="name"/> is null; 400 (param prompt_template) when it is unknown.</summary>
    public CompiledPromptTemplate? Find(string? name)
    {
        if (name is null)
        {
            return null;
        }

        var templates = _templates;
        return templates.TryGetValue(name, out var template)
            ? template
            : throw InferenceException.Invalid(
                $"Unknown prompt template '{name}'. Available: {string.Join(", ", templates.Keys.Select(k => $"'{k}'"))}.",
                "prompt_template",
                "invalid_value");
    }

    public void Dispose() => _reloadRegistration.Dispose();

    private void Reload()
    {
        var options = PromptTemplateSetup.Bind(_configuration);
        var errors = PromptTemplateSetup.Problems(options);
        if (errors.Count > 0)
        {
            TemplateLog.ReloadRejected(_logger, string.Join(" ", errors));
            return;
        }

        var templates = Compile(options);
        _templates = templates;
        TemplateLog.Reloaded(_logger, templates.Count, string.Join(", ", templates.Keys));
    }

    private static Dictionary<string, CompiledPromptTemplate> Compile(PromptTemplateOptions options) =>
        options.Templates.ToDictionary(t => t.Key, t => CompiledPromptTemplate.Compile(t.Key, t.Value), StringComparer.OrdinalIgnoreCase);
}

/// <summary>Source-generated log messages of the prompt-template catalog.</summary>
internal static partial class TemplateLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Prompt templates reloaded from configuration: {Count} ({Names})")]
    public static partial void Reloaded(ILogger logger, int count, string names);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Prompt template configuration changed but is invalid; the previous templates stay in force: {Problems}")]
    public static partial void ReloadRejected(ILogger logger, string problems);
}
