using InferenceServer.Core.Scoring;

namespace InferenceServer.Core.Tests.Scoring;

public sealed class ScoreWindowsTests
{
    [Fact]
    public void A_text_that_fits_is_one_window_scoring_every_token_but_the_first()
    {
        Assert.Equal([new ScoreWindow(0, 10, 1)], ScoreWindows.Plan(10, 16, 8));
        Assert.Equal([new ScoreWindow(0, 16, 1)], ScoreWindows.Plan(16, 16, 8));
    }

    [Fact]
    public void Long_text_windows_overlap_by_window_minus_stride_and_score_each_token_once()
    {
        var plan = ScoreWindows.Plan(20, 8, 4);

        Assert.Equal([new ScoreWindow(0, 8, 1), new ScoreWindow(4, 8, 4), new ScoreWindow(8, 8, 4), new ScoreWindow(12, 8, 4)], plan);
        var scored = plan.SelectMany(w => Enumerable.Range(w.Start + w.FirstScored, w.Length - w.FirstScored)).ToList();
        Assert.Equal(Enumerable.Range(1, 19), scored);
    }

    [Theory]
    [InlineData(100, 10, 1)]
    [InlineData(100, 10, 9)]
    [InlineData(37, 16, 5)]
    [InlineData(2, 2, 1)]
    public void Every_token_after_the_first_is_scored_exactly_once_with_enough_context(int tokens, int window, int stride)
    {
        var plan = ScoreWindows.Plan(tokens, window, stride);
        var scored = plan.SelectMany(w => Enumerable.Range(w.Start + w.FirstScored, w.Length - w.FirstScored)).ToList();

        Assert.Equal(Enumerable.Range(1, tokens - 1), scored);
        Assert.All(plan.Skip(1), w => Assert.True(w.FirstScored >= window - stride));
        Assert.All(plan, w => Assert.True(w.Length <= window && w.Start + w.Length <= tokens));
    }

    [Fact]
    public void Stride_must_be_below_the_window()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ScoreWindows.Plan(10, 4, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScoreWindows.Plan(1, 4, 2));
    }

    [Fact]
    public void Text_score_is_the_mean_negative_logprob_over_scored_tokens()
    {
        var plan = ScoreWindows.Plan(5, 3, 1);
        // windows [0,3) scores 1,2; [1,4) scores 3; [2,5) scores 4
        var logprobs = new List<IReadOnlyList<double?>> { new double?[] { null, -1, -2 }, new double?[] { null, -9, -3 }, new double?[] { null, -9, -4 } };

        var score = TextScore.From(5, plan, logprobs);

        Assert.Equal(4, score.ScoredTokens);
        Assert.Equal(2.5, score.CrossEntropy, 12);
        Assert.Equal(Math.Exp(2.5), score.Perplexity, 9);
    }
}
