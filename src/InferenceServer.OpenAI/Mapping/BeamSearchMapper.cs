using InferenceServer.Core.Generation;

namespace InferenceServer.OpenAI.Mapping;

/// <summary>vLLM's beam-search fields to engine parameters.</summary>
public static class BeamSearchMapper
{
    /// <summary>beam_width when use_beam_search is given without one: 4, or n when that is larger.</summary>
    public const int DefaultWidth = 4;

    public static bool IsBeamSearch(bool? useBeamSearch, int? beamWidth) => useBeamSearch == true || beamWidth > 1;

    public static int Width(int? beamWidth, int? n) => beamWidth ?? Math.Max(DefaultWidth, n ?? 1);

    /// <summary>Null unless the request asks for beam search.</summary>
    public static BeamSearchParameters? Map(bool? useBeamSearch, int? beamWidth, double? lengthPenalty, int? n) =>
        IsBeamSearch(useBeamSearch, beamWidth)
            ? new BeamSearchParameters(Width(beamWidth, n), (float)(lengthPenalty ?? 1.0), n ?? 1)
            : null;

    /// <summary>A beam request's one accumulator becomes one per returned beam (best first); the first carries the
    /// prompt tokens, the others only their completion tokens, so usage sums with one choice per prompt.</summary>
    public static IReadOnlyList<ChoiceAccumulator> Expand(IReadOnlyList<ChoiceAccumulator> choices)
    {
        if (choices.All(c => c.Beams is null))
        {
            return choices;
        }

        var expanded = new List<ChoiceAccumulator>();
        foreach (var choice in choices)
        {
            if (choice.Beams is not { } beams)
            {
                expanded.Add(choice);
                continue;
            }

            for (var i = 0; i < beams.Count; i++)
            {
                var beam = beams[i];
                var accumulator = new ChoiceAccumulator { CumulativeLogprob = beam.CumulativeLogprob };
                accumulator.Add(new GenerationUpdate
                {
                    Text = beam.Text,
                    Logprobs = beam.Logprobs,
                    FinishReason = beam.FinishReason,
                    Usage = new Usage(i == 0 ? choice.Usage?.PromptTokens ?? 0 : 0, beam.Tokens),
                    Timings = choice.Timings,
                });
                expanded.Add(accumulator);
            }
        }

        return expanded;
    }
}
