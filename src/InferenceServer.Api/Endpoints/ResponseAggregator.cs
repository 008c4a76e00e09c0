using InferenceServer.Api.Streaming;
using InferenceServer.Core.Errors;
using InferenceServer.OpenAI.Mapping;

namespace InferenceServer.Api.Endpoints;

/// <summary>Collects the merged update stream into one accumulator per choice (non-streaming responses).</summary>
internal static class ResponseAggregator
{
    public static async Task<IReadOnlyList<ChoiceAccumulator>> AggregateAsync(IAsyncEnumerable<IndexedUpdate> merged, int choiceCount)
    {
        var choices = Enumerable.Range(0, choiceCount).Select(_ => new ChoiceAccumulator()).ToArray();
        await foreach (var (index, update) in merged)
        {
            choices[index].Add(update);
        }

        return choices;
    }

    /// <summary>A stream that ended without a final update was cut off: by the client (cancellation) or by an engine fault.</summary>
    public static void EnsureFinished(IReadOnlyList<ChoiceAccumulator> choices, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (choices.Any(c => !c.IsFinished || c.FinishReason == Core.Generation.FinishReason.Cancelled))
        {
            throw new InferenceException(InferenceErrorKind.Internal, "The generation ended without a finish reason.");
        }
    }
}
