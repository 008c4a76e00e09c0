namespace InferenceServer.Core.Engine.Beams;

/// <summary>
/// One beam-search request in the engine loop: its <see cref="BeamSearch"/>, the sequence states that hold its
/// reserved slots (<see cref="Members"/>; the first is the job's own, which prefills the prompt), which of them carry
/// the live beams (aligned with <see cref="BeamSearch.Live"/>), and the candidates each live beam reported in the
/// current step. Loop thread only.
/// </summary>
internal sealed class BeamGroup(InferenceJob job, BeamSearch search, IReadOnlyList<SequenceState> members)
{
    public InferenceJob Job { get; } = job;
    public BeamSearch Search { get; } = search;
    public IReadOnlyList<SequenceState> Members { get; } = members;
    public List<SequenceState> LiveMembers { get; set; } = [members[0]];
    public Dictionary<SequenceState, BeamReport> Reports { get; } = [];

    /// <summary>End-of-generation token ids (looked up once per group).</summary>
    public int[]? EndOfGenerationTokens { get; set; }

    public bool AllLiveReported => LiveMembers.Count > 0 && LiveMembers.All(Reports.ContainsKey);
}

/// <summary>What one live beam's decode gave: its log-softmax-ready logits (logit bias applied) and their
/// log-normalizer, and its best candidate tokens with logprobs.</summary>
internal sealed record BeamReport(float[] Logits, float LogNormalizer, IReadOnlyList<(int Token, double Logprob)> Candidates);

/// <summary>Beam members never sample: the group chooses their tokens.</summary>
internal sealed class NoTokenSampler : ITokenSampler
{
    public static NoTokenSampler Instance { get; } = new();

    public int Sample(int batchIndex) => throw new InvalidOperationException("Beam members do not sample.");

    public void Dispose()
    {
    }
}
