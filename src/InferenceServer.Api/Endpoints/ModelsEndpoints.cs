using InferenceServer.Api.Templates;
using InferenceServer.Core.Engine;
using InferenceServer.Core.Errors;
using InferenceServer.OpenAI.Json;
using InferenceServer.OpenAI.Protocol;

namespace InferenceServer.Api.Endpoints;

/// <summary>GET /v1/models and GET /v1/models/{id}: the served model, then every configured prompt template as a
/// model of its own (owned_by "prompt-template").</summary>
public static class ModelsEndpoints
{
    public const string TemplateOwner = "prompt-template";

    public static IEndpointRouteBuilder MapModels(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/models", (IInferenceEngine engine, PromptTemplateCatalog templates) =>
                Results.Json(new ModelList { Data = [ToModel(engine.Model), .. TemplateModels(engine.Model, templates)] }, OpenAiJsonContext.Default.ModelList))
            .WithName("ListModels")
            .Produces<ModelList>(StatusCodes.Status200OK)
            .WithTags("OpenAI");

        // Catch-all so ids with slashes ("org/model") work.
        app.MapGet("/v1/models/{**id}", (string id, IInferenceEngine engine, ServedModel served) =>
            {
                if (served.Matches(id)) return Results.Json(ToModel(engine.Model) with { Id = id }, OpenAiJsonContext.Default.ModelObject);
                if (served.Serves(id)) return Results.Json(ToModel(engine.Model) with { Id = served.Route(id).Id, OwnedBy = TemplateOwner }, OpenAiJsonContext.Default.ModelObject);
                throw new InferenceException(InferenceErrorKind.ModelNotFound, $"The model `{id}` does not exist or you do not have access to it.", "model", "model_not_found");
            })
            .WithName("RetrieveModel")
            .Produces<ModelObject>(StatusCodes.Status200OK)
            .Produces<ErrorResponse>(StatusCodes.Status404NotFound)
            .WithTags("OpenAI");
        return app;
    }

    private static ModelObject ToModel(ModelMetadata model) => new() { Id = model.Id, Created = model.Created };

    private static IEnumerable<ModelObject> TemplateModels(ModelMetadata model, PromptTemplateCatalog templates) =>
        templates.All.Keys
            .Where(name => !string.Equals(name, model.Id, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(name => ToModel(model) with { Id = name, OwnedBy = TemplateOwner });
}
