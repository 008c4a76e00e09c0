using InferenceServer.Core.Generation;

namespace InferenceServer.Core.Engine;

/// <summary>
/// The logprobs of one sequence's prompt tokens, filled as its prefill chunks are decoded with logits at every
/// position: the logits at position p give the logprob of prompt token p + 1. Entry 0 stays null. Idempotent per
/// position, so a preempted prompt that is decoded again simply overwrites its entries.
/// </summary>
internal sealed class PromptLogprobCollector(int promptLength, int topN)
{
    private readonly TokenLogprob?[] _entries = new TokenLogprob?[promptLength];

    public int TopN { get; } = topN;

    /// <summary>True once the result was sent (it is sent once).</summary>
    public bool Sent { get; set; }

    /// <summary>Positions whose logits score a prompt token: all but the last prompt token.</summary>
    public bool Wants(int position) => position < _entries.Length - 1;

    public void Set(int position, ReadOnlySpan<float> logits, IReadOnlyList<int> tokens, ITokenizer tokenizer)
    {
        TokenLogprob entry = LogprobCalculator.Compute(logits, tokens[position + 1], TopN, tokenizer);
        // A prompt's control tokens (e.g. <|im_start|>) are part of the echoed text: show their text, not "".
        _entries[position + 1] = entry.Bytes.Length == 0 ? entry with { Token = tokenizer.Detokenize([entry.TokenId]) } : entry;
    }

    public IReadOnlyList<TokenLogprob?> Result => _entries;
}
