using System.Text;
using InferenceServer.Core.Generation;

namespace InferenceServer.OpenAI.Mapping;

/// <summary>Aggregates one choice's update stream (the non-streaming response is built from these).</summary>
public sealed class ChoiceAccumulator
{
    private readonly StringBuilder _text = new();
    private readonly List<TokenLogprob> _logprobs = [];

    public string Text => _text.ToString();
    public IReadOnlyList<TokenLogprob> Logprobs => _logprobs;
    /// <summary>The prompt's logprobs (first entry null) when the request asked to score its prompt.</summary>
    public IReadOnlyList<TokenLogprob?>? PromptLogprobs { get; private set; }
    public FinishReason? FinishReason { get; private set; }
    public Usage? Usage { get; private set; }
    public GenerationTimings? Timings { get; private set; }
    public bool IsFinished => FinishReason is not null;
    /// <summary>Beam search: the beams of the final update (expanded into choices by <see cref="BeamSearchMapper"/>).</summary>
    public IReadOnlyList<BeamResult>? Beams { get; private set; }
    /// <summary>Beam search: this choice's beam's summed logprob (the cumulative_logprob extension field).</summary>
    public double? CumulativeLogprob { get; init; }

    public void Add(GenerationUpdate update)
    {
        _text.Append(update.Text);
        if (update.Logprobs is { } lp)
        {
            _logprobs.AddRange(lp);
        }

        if (update.PromptLogprobs is { } prompt)
        {
            PromptLogprobs = prompt;
        }

        if (update.IsFinal)
        {
            FinishReason = update.FinishReason;
            Beams = update.Beams;
            Usage = update.Usage;
            Timings = update.Timings;
        }
    }
}
