using InferenceServer.Core.Engine;
using InferenceServer.Core.Generation;

namespace InferenceServer.Api.Endpoints;

/// <summary>Submits all choices of a request. Admission errors are thrown here, before any byte is written; if
/// choice k is refused, the choices already admitted are cancelled.</summary>
internal static class GenerationStarter
{
    public static IReadOnlyList<IAsyncEnumerable<GenerationUpdate>> StartAll(IInferenceEngine engine, IReadOnlyList<GenerationRequest> requests, CancellationTokenSource cancellation)
    {
        var streams = new List<IAsyncEnumerable<GenerationUpdate>>(requests.Count);
        try
        {
            foreach (var request in requests)
            {
                streams.Add(engine.Generate(request, cancellation.Token));
            }
        }
        catch
        {
            cancellation.Cancel();
            throw;
        }

        return streams;
    }

    /// <summary>Timings of the first choice that has them.</summary>
    public static GenerationTimings? FirstTimings(IEnumerable<OpenAI.Mapping.ChoiceAccumulator> choices) =>
        choices.Select(c => c.Timings).FirstOrDefault(t => t is not null);
}
