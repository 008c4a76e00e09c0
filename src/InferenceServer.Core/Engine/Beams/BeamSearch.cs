using InferenceServer.Core.Generation;

namespace InferenceServer.Core.Engine.Beams;

/// <summary>
/// The bookkeeping of one beam search, independent of any backend (unit-tested on its own). Each step takes the best
/// candidate continuations of every live beam and keeps the <see cref="Width"/> best by cumulative logprob (ties: lower
/// parent, then lower token id, so results are deterministic). A candidate that ends the text (end-of-generation or a
/// stop string) becomes a finished hypothesis when it ranks within the first <see cref="Width"/> candidates (as in
/// Hugging Face's beam search, which makes width 1 greedy); a live beam that reaches the token limit finishes with
/// "length". The search is done when no beam is live, or when <c>N</c> hypotheses are finished and no live beam can
/// still beat the N-th best (an exact bound: logprobs are never positive).
/// </summary>
internal sealed class BeamSearch
{
    private readonly int _n;
    private readonly int _maxTokens;
    private readonly float _lengthPenalty;
    private List<Beam> _live = [new Beam([], 0, [])];
    private readonly List<Hypothesis> _finished = [];

    public BeamSearch(int width, float lengthPenalty, int n, int maxTokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        Width = width;
        _lengthPenalty = lengthPenalty;
        _n = Math.Clamp(n, 1, width);
        _maxTokens = maxTokens;
    }

    public int Width { get; }
    public IReadOnlyList<Beam> Live => _live;
    public IReadOnlyList<Hypothesis> Finished => _finished;

    public bool IsDone
    {
        get
        {
            if (_live.Count == 0)
            {
                return true;
            }

            if (_finished.Count < _n)
            {
                return false;
            }

            double nth = _finished.Select(h => h.Score).OrderDescending().ElementAt(_n - 1);
            return _live.All(b => BestPossible(b) <= nth);
        }
    }

    /// <summary>One step. <paramref name="candidates"/> are continuations of live beams (by index into
    /// <see cref="Live"/>); returns the children in new-live order, each with the index it has in the new
    /// <see cref="Live"/> (-1 when it finished at the token limit).</summary>
    public IReadOnlyList<Child> Step(IReadOnlyList<Candidate> candidates, Func<Candidate, bool> endsText, Func<Candidate, TokenLogprob?> logprobOf)
    {
        var ordered = candidates
            .Select(c => (Candidate: c, Cumulative: _live[c.Parent].Cumulative + c.Logprob))
            .OrderByDescending(c => c.Cumulative).ThenBy(c => c.Candidate.Parent).ThenBy(c => c.Candidate.Token)
            .ToList();

        var chosen = new List<(Candidate Candidate, double Cumulative)>();
        for (int rank = 0; rank < ordered.Count && chosen.Count < Width; rank++)
        {
            var (candidate, cumulative) = ordered[rank];
            if (!endsText(candidate))
            {
                chosen.Add((candidate, cumulative));
            }
            else if (rank < Width)
            {
                Beam parent = _live[candidate.Parent];
                bool eog = candidate.EndOfGeneration;
                List<int> tokens = eog ? [.. parent.Tokens] : [.. parent.Tokens, candidate.Token];
                List<TokenLogprob?> logprobs = eog ? [.. parent.Logprobs] : [.. parent.Logprobs, logprobOf(candidate)];
                _finished.Add(new Hypothesis(tokens, cumulative, logprobs, FinishReason.Stop, Score(cumulative, tokens.Count)));
            }
        }

        var next = new List<Beam>(chosen.Count);
        var children = new List<Child>(chosen.Count);
        foreach (var (candidate, cumulative) in chosen)
        {
            Beam parent = _live[candidate.Parent];
            var beam = new Beam([.. parent.Tokens, candidate.Token], cumulative, [.. parent.Logprobs, logprobOf(candidate)]);
            if (beam.Tokens.Count >= _maxTokens)
            {
                _finished.Add(new Hypothesis(beam.Tokens, cumulative, beam.Logprobs, FinishReason.Length, Score(cumulative, beam.Tokens.Count)));
                children.Add(new Child(candidate.Parent, candidate.Token, -1));
            }
            else
            {
                children.Add(new Child(candidate.Parent, candidate.Token, next.Count));
                next.Add(beam);
            }
        }

        _live = next;
        return children;
    }

    /// <summary>The best finished hypotheses by score, best first (at most N; ties keep finishing order).</summary>
    public IReadOnlyList<Hypothesis> Results() =>
        _finished.Select((h, i) => (h, i)).OrderByDescending(x => x.h.Score).ThenBy(x => x.i).Take(_n).Select(x => x.h).ToList();

    public double Score(double cumulative, int length) =>
        _lengthPenalty == 0 ? cumulative : cumulative / Math.Pow(Math.Max(1, length), _lengthPenalty);

    /// <summary>The highest score any completion of <paramref name="beam"/> can reach: its cumulative logprob can only
    /// fall; with a positive length penalty the longest allowed length divides it most.</summary>
    private double BestPossible(Beam beam) =>
        _lengthPenalty > 0 ? beam.Cumulative / Math.Pow(_maxTokens, _lengthPenalty) : Score(beam.Cumulative, beam.Tokens.Count);

    /// <summary>A live hypothesis: generated tokens, their summed logprob, their logprobs when asked for.</summary>
    public sealed record Beam(IReadOnlyList<int> Tokens, double Cumulative, IReadOnlyList<TokenLogprob?> Logprobs);

    public sealed record Hypothesis(IReadOnlyList<int> Tokens, double Cumulative, IReadOnlyList<TokenLogprob?> Logprobs, FinishReason Reason, double Score);

    /// <summary>A continuation of live beam <paramref name="Parent"/> by <paramref name="Token"/> with its logprob.</summary>
    public readonly record struct Candidate(int Parent, int Token, double Logprob, bool EndOfGeneration);

    public readonly record struct Child(int Parent, int Token, int LiveIndex);
}
