using InferenceServer.Core.Engine.Beams;
using InferenceServer.Core.Generation;

namespace InferenceServer.Core.Tests.Engine.Beams;

/// <summary>The beam bookkeeping against a synthetic language model: a seeded distribution over a tiny vocabulary
/// (token 0 = end of generation) for every prefix, so greedy and exhaustive search are computed exactly.</summary>
public sealed class BeamSearchTests
{
    private const int Vocab = 4;
    private const int Eog = 0;

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(42)]
    public void Width_one_with_length_penalty_zero_is_greedy(int seed)
    {
        var model = new SyntheticModel(seed);
        var search = new BeamSearch(width: 1, lengthPenalty: 0, n: 1, maxTokens: 8);
        Run(search, model);

        var greedy = new List<int>();
        while (greedy.Count < 8)
        {
            var lp = model.Logprobs(greedy);
            int best = Enumerable.Range(0, Vocab).MaxBy(t => lp[t]);
            if (best == Eog)
            {
                break;
            }

            greedy.Add(best);
        }

        Assert.Equal(greedy, search.Results()[0].Tokens);
    }

    [Theory]
    [InlineData(1, 0f)]
    [InlineData(2, 1f)]
    [InlineData(3, 0.5f)]
    [InlineData(4, 2f)]
    [InlineData(5, -0.5f)]
    public void A_beam_wider_than_all_candidates_finds_the_exhaustive_best(int seed, float lengthPenalty)
    {
        const int maxTokens = 3;
        var model = new SyntheticModel(seed);
        // At most 3^2 live beams x 4 tokens = 36 candidates per step.
        var search = new BeamSearch(width: 36, lengthPenalty, n: 3, maxTokens);
        Run(search, model);

        var all = Exhaustive(model, [], 0, maxTokens).Select(h => (h.Tokens, h.Cumulative, Score: search.Score(h.Cumulative, h.Tokens.Count)))
            .OrderByDescending(h => h.Score).ToList();
        var results = search.Results();
        Assert.Equal(3, results.Count);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(all[i].Tokens, results[i].Tokens);
            Assert.Equal(all[i].Cumulative, results[i].Cumulative, 12);
        }
    }

    [Fact]
    public void Results_are_in_score_order_and_at_most_n()
    {
        var search = new BeamSearch(width: 4, lengthPenalty: 1, n: 3, maxTokens: 6);
        Run(search, new SyntheticModel(11));

        var results = search.Results();
        Assert.Equal(3, results.Count);
        Assert.True(results.Zip(results.Skip(1)).All(p => p.First.Score >= p.Second.Score));
    }

    private static void Run(BeamSearch search, SyntheticModel model)
    {
        for (int step = 0; step < 100 && !search.IsDone; step++)
        {
            var candidates = new List<BeamSearch.Candidate>();
            for (int b = 0; b < search.Live.Count; b++)
            {
                var lp = model.Logprobs(search.Live[b].Tokens);
                candidates.AddRange(Enumerable.Range(0, Vocab).Select(t => new BeamSearch.Candidate(b, t, lp[t], t == Eog)));
            }

            search.Step(candidates, c => c.EndOfGeneration, _ => null);
        }

        Assert.True(search.IsDone);
    }

    private static IEnumerable<(List<int> Tokens, double Cumulative)> Exhaustive(SyntheticModel model, List<int> prefix, double cumulative, int maxTokens)
    {
        var lp = model.Logprobs(prefix);
        yield return (prefix, cumulative + lp[Eog]);
        for (int t = 1; t < Vocab; t++)
        {
            var next = new List<int>(prefix) { t };
            if (next.Count == maxTokens)
            {
                yield return (next, cumulative + lp[t]);
                continue;
            }

            foreach (var h in Exhaustive(model, next, cumulative + lp[t], maxTokens))
            {
                yield return h;
            }
        }
    }

    /// <summary>log-softmax of seeded random logits, a pure function of the prefix.</summary>
    private sealed class SyntheticModel(int seed)
    {
        public double[] Logprobs(IReadOnlyList<int> prefix)
        {
            int hash = seed;
            foreach (int t in prefix)
            {
                hash = unchecked((hash * 31) + t + 1);
            }

            var random = new Random(hash & 0x7fffffff);
            var logits = Enumerable.Range(0, Vocab).Select(_ => random.NextDouble() * 4).ToArray();
            double z = Math.Log(logits.Sum(Math.Exp));
            return logits.Select(l => l - z).ToArray();
        }
    }
}
