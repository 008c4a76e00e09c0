namespace InferenceServer.Bench;

/// <summary>What one generated stream looked like from the consumer's side (Stopwatch ticks in seconds).</summary>
internal sealed record StreamResult(int CompletionTokens, double StartedAt, double FirstTokenAt, double LastTokenAt)
{
    /// <summary>Decode speed after the first token: (tokens - 1) / (last - first).</summary>
    public double DecodeTokensPerSecond => CompletionTokens > 1 && LastTokenAt > FirstTokenAt
        ? (CompletionTokens - 1) / (LastTokenAt - FirstTokenAt)
        : 0;

    public double TimeToFirstToken => FirstTokenAt - StartedAt;
}

/// <summary>A batch of concurrent streams: aggregate throughput = all tokens / wall time of the batch.</summary>
internal sealed record ConcurrentResult(int Streams, IReadOnlyList<StreamResult> Results)
{
    public int TotalTokens => Results.Sum(r => r.CompletionTokens);
    public double WallSeconds => Results.Max(r => r.LastTokenAt) - Results.Min(r => r.StartedAt);
    public double AggregateTokensPerSecond => TotalTokens / WallSeconds;
    public double MeanTimeToFirstToken => Results.Average(r => r.TimeToFirstToken);
}
