using InferenceServer.Core.Engine;
using InferenceServer.Core.Generation;

namespace InferenceServer.Api.Endpoints;

/// <summary>Submits all choices of a request through <see cref="IInferenceEngine.GenerateAll"/> (all admitted or
/// none). Admission errors are thrown here, before any byte is written; if the engine refuses part way, the choices
/// already admitted are cancelled.</summary>
internal static class GenerationStarter
{
    public static IReadOnlyList<IAsyncEnumerable<GenerationUpdate>> StartAll(IInferenceEngine engine, IReadOnlyList<GenerationRequest> requests, CancellationTokenSource cancellation)
    {
        try
        {
            return engine.GenerateAll(requests, cancellation.Token);
        }
        catch
        {
            cancellation.Cancel();
            throw;
        }
    }

    /// <summary>Timings of the first choice that has them.</summary>
    public static GenerationTimings? FirstTimings(IEnumerable<OpenAI.Mapping.ChoiceAccumulator> choices) =>
        choices.Select(c => c.Timings).FirstOrDefault(t => t is not null);
}
