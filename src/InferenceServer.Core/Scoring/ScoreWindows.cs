namespace InferenceServer.Core.Scoring;

/// <summary>One window of a long text: tokens [Start, Start + Length) decoded as one sequence; only the tokens from
/// window index <see cref="FirstScored"/> on count, so every token of the text is scored exactly once.</summary>
public readonly record struct ScoreWindow(int Start, int Length, int FirstScored);

/// <summary>
/// Sliding windows for scoring a text longer than the context (the strided perplexity of the Hugging Face guide):
/// windows of <c>window</c> tokens start every <c>stride</c> tokens; the first window scores its tokens 1.., each
/// later one only the tokens past the previous window's end, so each of those sees at least
/// <c>window - stride</c> tokens of context. Token 0 of the text is never scored (nothing predicts it). Pure.
/// </summary>
public static class ScoreWindows
{
    public static IReadOnlyList<ScoreWindow> Plan(int tokenCount, int window, int stride)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokenCount, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(stride, window);

        var windows = new List<ScoreWindow>();
        int scoredUpTo = 1;
        for (int begin = 0; ; begin += stride)
        {
            int end = Math.Min(begin + window, tokenCount);
            windows.Add(new ScoreWindow(begin, end - begin, scoredUpTo - begin));
            scoredUpTo = end;
            if (end == tokenCount)
            {
                return windows;
            }
        }
    }
}

/// <summary>Token count, mean cross-entropy (nats per token) and perplexity = exp(cross-entropy) of one text.</summary>
public sealed record TextScore(int Tokens, int ScoredTokens, double CrossEntropy, int Windows)
{
    public double Perplexity => Math.Exp(CrossEntropy);

    /// <summary>Sums the scored tokens' logprobs of every window (in double) into one score.</summary>
    /// <param name="windows">The plan.</param>
    /// <param name="logprobs">Per window, the prompt logprobs of its tokens (entry 0 null).</param>
    public static TextScore From(int tokens, IReadOnlyList<ScoreWindow> windows, IReadOnlyList<IReadOnlyList<double?>> logprobs)
    {
        double sum = 0;
        int count = 0;
        for (int w = 0; w < windows.Count; w++)
        {
            for (int j = windows[w].FirstScored; j < windows[w].Length; j++)
            {
                sum += logprobs[w][j] ?? throw new InvalidOperationException($"Window {w} has no logprob at {j}.");
                count++;
            }
        }

        return new TextScore(tokens, count, -sum / count, windows.Count);
    }
}
