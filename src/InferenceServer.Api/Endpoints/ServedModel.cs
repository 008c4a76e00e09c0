using InferenceServer.Api.Templates;
using InferenceServer.Core.Engine;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Options;
using InferenceServer.Core.Templates;
using Microsoft.Extensions.Options;

namespace InferenceServer.Api.Endpoints;

/// <summary>What a request's "model" names: the served model (its id, the configured id or an alias), or one of
/// the configured prompt templates served as a model of its own (the model with that template applied).</summary>
public sealed record ModelRoute(string Id, CompiledPromptTemplate? Template);

/// <summary>Which names the served model answers to: its id, the configured id, the configured aliases, and the
/// names of the configured prompt templates.</summary>
public sealed class ServedModel(IInferenceEngine engine, IOptions<ModelOptions> options, PromptTemplateCatalog templates)
{
    /// <summary>The served id (throws ModelNotReady before the model is loaded).</summary>
    public string Id => engine.Model.Id;

    /// <summary>Whether <paramref name="name"/> names the model itself (not a template model).</summary>
    public bool Matches(string name) =>
        name == engine.Model.Id || name == options.Value.Id || options.Value.Aliases.Contains(name, StringComparer.Ordinal);

    /// <summary>Whether <paramref name="name"/> names the model or a template model.</summary>
    public bool Serves(string name) => Matches(name) || templates.TryGet(name, out _);

    /// <summary>Throws 404 model_not_found unless <paramref name="requested"/> names the served model.</summary>
    public string Resolve(string requested) => Route(requested).Id;

    /// <summary>The served model, or the template model <paramref name="requested"/> names (echoed as the response's
    /// model); 404 model_not_found otherwise.</summary>
    public ModelRoute Route(string requested)
    {
        if (Matches(requested)) return new ModelRoute(engine.Model.Id, null);
        if (templates.TryGet(requested, out var template)) return new ModelRoute(template.Name, template);
        throw new InferenceException(InferenceErrorKind.ModelNotFound, $"The model `{requested}` does not exist or you do not have access to it.", "model", "model_not_found");
    }
}
