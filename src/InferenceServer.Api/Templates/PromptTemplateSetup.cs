using InferenceServer.Core.Templates;
using Microsoft.Extensions.Options;

namespace InferenceServer.Api.Templates;

/// <summary>Binds the "PromptTemplates" section (name -> template) and validates it at startup.</summary>
public static class PromptTemplateSetup
{
    public static IServiceCollection AddPromptTemplates(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PromptTemplateOptions>()
            .Configure(o => configuration.GetSection(PromptTemplateOptions.SectionName).Bind(o.Templates))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<PromptTemplateOptions>, PromptTemplateOptionsValidator>();
        services.AddSingleton<PromptTemplateCatalog>();
        return services;
    }

    private sealed class PromptTemplateOptionsValidator : IValidateOptions<PromptTemplateOptions>
    {
        public ValidateOptionsResult Validate(string? name, PromptTemplateOptions options)
        {
            var errors = options.Templates.SelectMany(t => PromptTemplateRenderer.Validate(t.Key, t.Value)).ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
