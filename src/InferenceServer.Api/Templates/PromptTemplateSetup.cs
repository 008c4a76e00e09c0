using InferenceServer.Core.Templates;
using Microsoft.Extensions.Options;

namespace InferenceServer.Api.Templates;

/// <summary>Binds the "PromptTemplates" section (name -> template), validates it at startup, and registers the
/// catalog that follows configuration reloads.</summary>
public static class PromptTemplateSetup
{
    public static IServiceCollection AddPromptTemplates(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PromptTemplateOptions>()
            .Configure(o => BindInto(configuration, o))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<PromptTemplateOptions>, PromptTemplateOptionsValidator>();
        services.AddSingleton<PromptTemplateCatalog>();
        return services;
    }

    /// <summary>A fresh binding of the section as the configuration holds it now.</summary>
    public static PromptTemplateOptions Bind(IConfiguration configuration)
    {
        var options = new PromptTemplateOptions();
        BindInto(configuration, options);
        return options;
    }

    /// <summary>Every configuration problem (missing input placeholder, examples without both sides, Jinja syntax errors).</summary>
    public static List<string> Problems(PromptTemplateOptions options) =>
        options.Templates.SelectMany(t => PromptTemplateRenderer.Validate(t.Key, t.Value)).ToList();

    private static void BindInto(IConfiguration configuration, PromptTemplateOptions options) =>
        configuration.GetSection(PromptTemplateOptions.SectionName).Bind(options.Templates);

    private sealed class PromptTemplateOptionsValidator : IValidateOptions<PromptTemplateOptions>
    {
        public ValidateOptionsResult Validate(string? name, PromptTemplateOptions options)
        {
            var errors = Problems(options);
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
