using InferenceServer.Core.Engine;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;

namespace InferenceServer.Api.Endpoints;

/// <summary>Submits all choices of a request through <see cref="IInferenceEngine.GenerateAll"/> (all admitted or
/// none). Admission errors are thrown here, before any byte is written; if the engine refuses part way, the choices
/// already admitted are cancelled.</summary>
internal static class GenerationStarter
{
    /// <param name="choicesPerPrompt">The request's <c>n</c>: more choices of one prompt than the engine has slots is a
    /// 400 naming <c>n</c> (a request's prompts may queue, but so many choices of one prompt are not served).</param>
    public static IReadOnlyList<IAsyncEnumerable<GenerationUpdate>> StartAll(IInferenceEngine engine, IReadOnlyList<GenerationRequest> requests,
        CancellationTokenSource cancellation, int choicesPerPrompt = 1)
    {
        int slots = engine.GetSnapshot().MaxSequences;
        if (choicesPerPrompt > slots)
        {
            throw InferenceException.Invalid(
                $"This request asks for {choicesPerPrompt} choices, but this server runs at most {slots} sequences at once (Engine:MaxSequences). Use n <= {slots}.",
                "n");
        }

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
