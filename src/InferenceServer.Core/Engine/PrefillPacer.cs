namespace InferenceServer.Core.Engine;

/// <summary>
/// How many prompt tokens a step may carry while streams generate, from measured step times: a step with prompt
/// tokens may take at most <c>stallFactor</c> times a plain decode step of as many generating streams. Pure
/// arithmetic over what the loop reports; no clock, no backend.
/// </summary>
/// <remarks>
/// A token budget alone cannot hold that bound: a prompt token's cost depends on the hardware, the model, the other
/// tokens in the step and how many cells the prompt already attends to (a 2,000-token prompt's last chunks cost more
/// than its first). The pacer keeps, per number of generating streams, a moving average of decode-only step times
/// (the base), and after each paced step estimates the marginal cost of a prompt token as
/// (step time - base) / prompt tokens; the budget moves toward the number of tokens that fill the allowed extra time,
/// (stallFactor - 1) x base. A stream count without a base (or with one <see cref="ProbeInterval"/> paced steps old)
/// gets one decode-only step first to measure it. With pacing off it answers the static rule:
/// max(initial budget, generating), as it does for the first paced step.
/// </remarks>
internal sealed class PrefillPacer
{
    /// <summary>Paced steps after which a stream count's base is measured again (one decode-only step).</summary>
    public const int ProbeInterval = 32;

    private const double Smoothing = 0.3;
    private readonly double _stallFactor;
    private readonly int _initialBudget;
    private readonly int _maxBudget;
    private readonly double[] _decodeOnlySeconds;
    private readonly long[] _measuredAt;
    private long _pacedSteps;
    private double _budget = double.NaN;

    /// <param name="stallFactor">Largest step time with prompt tokens, in plain decode steps; 0 turns pacing off.</param>
    /// <param name="initialBudget">Prompt tokens per step before anything is measured (and always, with pacing off).</param>
    /// <param name="maxBudget">Upper bound (the batch size).</param>
    /// <param name="maxSequences">Most generating streams there can be.</param>
    public PrefillPacer(double stallFactor, int initialBudget, int maxBudget, int maxSequences)
    {
        _stallFactor = stallFactor;
        _initialBudget = Math.Max(1, initialBudget);
        _maxBudget = Math.Max(1, maxBudget);
        _decodeOnlySeconds = new double[maxSequences + 1];
        _measuredAt = new long[maxSequences + 1];
    }

    private bool Pacing => _stallFactor > 1;

    /// <summary>
    /// Prompt tokens the next step may carry next to <paramref name="generating"/> decode tokens. 0 asks for a
    /// decode-only step: the base for this stream count is unknown or <see cref="ProbeInterval"/> paced steps old.
    /// </summary>
    public int Budget(int generating)
    {
        if (!Pacing || generating <= 0 || generating >= _decodeOnlySeconds.Length)
        {
            return Math.Min(_maxBudget, Math.Max(_initialBudget, generating));
        }

        if (_decodeOnlySeconds[generating] <= 0 || _pacedSteps - _measuredAt[generating] >= ProbeInterval)
        {
            return 0;
        }

        return double.IsNaN(_budget)
            ? Math.Min(_maxBudget, Math.Max(_initialBudget, generating))
            : (int)Math.Clamp(Math.Round(_budget), 1, _maxBudget);
    }

    /// <summary>Reports a finished step: its decode tokens, prompt tokens, and the seconds <c>llama_decode</c> took.</summary>
    public void Observe(int generating, int promptTokens, double seconds)
    {
        if (!Pacing || generating <= 0 || generating >= _decodeOnlySeconds.Length || seconds <= 0)
        {
            return;
        }

        if (promptTokens == 0)
        {
            ref double average = ref _decodeOnlySeconds[generating];
            average = average == 0 ? seconds : average + Smoothing * (seconds - average);
            _measuredAt[generating] = _pacedSteps;
            return;
        }

        double baseSeconds = _decodeOnlySeconds[generating];
        if (baseSeconds <= 0)
        {
            return;
        }

        _pacedSteps++;
        double extra = seconds - baseSeconds;
        double allowed = (_stallFactor - 1) * baseSeconds;
        double estimate = extra <= 0 ? 2.0 * promptTokens : promptTokens * allowed / extra;
        _budget = double.IsNaN(_budget)
            ? Math.Clamp(estimate, 1, _maxBudget)
            : Math.Clamp(_budget + Smoothing * (estimate - _budget), 1, _maxBudget);
    }
}
