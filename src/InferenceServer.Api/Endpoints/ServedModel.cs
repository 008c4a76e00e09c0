using InferenceServer.Core.Engine;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Options;
using Microsoft.Extensions.Options;

namespace InferenceServer.Api.Endpoints;

/// <summary>Which names the served model answers to: its id, the configured id and the configured aliases.</summary>
public sealed class ServedModel(IInferenceEngine engine, IOptions<ModelOptions> options)
{
    /// <summary>The served id (throws ModelNotReady before the model is loaded).</summary>
    public string Id => engine.Model.Id;

    public bool Matches(string name) =>
        name == engine.Model.Id || name == options.Value.Id || options.Value.Aliases.Contains(name, StringComparer.Ordinal);

    /// <summary>Throws 404 model_not_found unless <paramref name="requested"/> names the served model.</summary>
    public string Resolve(string requested) =>
        Matches(requested)
            ? engine.Model.Id
            : throw new InferenceException(InferenceErrorKind.ModelNotFound, $"The model `{requested}` does not exist or you do not have access to it.", "model", "model_not_found");
}
