using InferenceServer.Core.Engine;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Options;

namespace InferenceServer.Api.Observability.Metrics;

/// <summary>The model id used as the model_name label: the engine's once loaded, else the configured one
/// (ModelOptions.Id, else the file name without extension: the same rule the engine applies).</summary>
public static class ServedModelName
{
    public static string Resolve(IInferenceEngine engine, ModelOptions options)
    {
        if (engine.IsReady)
        {
            try
            {
                return engine.Model.Id;
            }
            catch (InferenceException)
            {
                // Raced with a state change: fall back to the configured name.
            }
        }

        return FromOptions(options);
    }

    public static string FromOptions(ModelOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.Id))
        {
            return options.Id;
        }

        var name = Path.GetFileNameWithoutExtension(options.Path);
        return string.IsNullOrEmpty(name) ? "default" : name;
    }
}
