using InferenceServer.Api.Templates;
using InferenceServer.OpenAI.Json;
using InferenceServer.OpenAI.Protocol;

namespace InferenceServer.Api.Endpoints;

/// <summary>GET /v1/prompt_templates: the configured templates (extension).</summary>
public static class PromptTemplatesEndpoint
{
    public static IEndpointRouteBuilder MapPromptTemplates(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/prompt_templates", (PromptTemplateCatalog catalog) =>
                Results.Json(
                    new PromptTemplateList
                    {
                        Data = catalog.All.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new PromptTemplateDto
                        {
                            Name = t.Key,
                            SystemPrompt = t.Value.Definition.SystemPrompt,
                            UserTemplate = t.Value.Definition.UserTemplate,
                            Examples = t.Value.Definition.Examples.Select(e => new PromptExampleDto(e.User, e.Assistant)).ToList(),
                        }).ToList(),
                    },
                    OpenAiJsonContext.Default.PromptTemplateList))
            .WithName("ListPromptTemplates")
            .Produces<PromptTemplateList>(StatusCodes.Status200OK)
            .WithTags("Extensions");
        return app;
    }
}
