namespace InferenceServer.Core.Engine;

/// <summary>What the planner needs to know about one active sequence, in admission order.</summary>
/// <param name="Key">Caller's handle (slot index); echoed back in the plan.</param>
/// <param name="PendingTokens">Tokens known but not yet in the KV cache (prompt left to prefill, or the last sampled token).</param>
/// <param name="IsGenerating">True when the only pending token is the last sampled one (a decode step).</param>
public readonly record struct PlannerSequence(int Key, int PendingTokens, bool IsGenerating);

/// <summary>One contiguous run of a sequence's pending tokens in the next batch.</summary>
/// <param name="Key">The sequence's key.</param>
/// <param name="Offset">Index of the first token of this chunk in the batch.</param>
/// <param name="Count">Tokens taken from the start of the sequence's pending tokens.</param>
/// <param name="WantLogits">True when the chunk ends the sequence's pending tokens (its last token gets logits).</param>
public readonly record struct PlannedChunk(int Key, int Offset, int Count, bool WantLogits)
{
    /// <summary>Batch index of the chunk's last token (where logits are read).</summary>
    public int LastIndex => Offset + Count - 1;
}

/// <summary>
/// Decides which tokens go into the next decode (continuous batching with fair chunked prefill). Pure: no state,
/// no backend. Rules: first one token for every generating sequence (so running streams never stall), then prompt
/// chunks of prefilling sequences in admission order, each at most <c>maxPrefillChunk</c>, until the batch budget
/// or the free KV cells run out.
/// </summary>
/// <remarks>
/// On a CPU a step's time grows with its tokens, so prompt tokens in a step delay every generating stream. While at
/// least as many sequences generate as wait for their prompt, a step carries at most <c>prefillWhileDecoding</c>
/// prompt tokens (the <see cref="PrefillPacer"/>'s budget): a long prompt arriving among running streams is spread
/// over many steps. When the prefilling sequences outnumber the generating ones (a burst of arrivals), the whole
/// budget goes to prompts so they start together instead of trickling in, at the cost of one longer step for the few
/// running streams.
/// </remarks>
public static class BatchPlanner
{
    public static IReadOnlyList<PlannedChunk> Plan(
        IReadOnlyList<PlannerSequence> sequences, int batchBudget, int freeKvCells, int maxPrefillChunk, int prefillWhileDecoding = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPrefillChunk, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(prefillWhileDecoding);
        var plan = new List<PlannedChunk>(sequences.Count);
        int budget = Math.Min(batchBudget, Math.Max(0, freeKvCells));
        int offset = 0;
        int generating = 0, prefilling = 0;
        foreach (PlannerSequence sequence in sequences)
        {
            if (sequence.IsGenerating && sequence.PendingTokens > 0) generating++;
            else if (!sequence.IsGenerating && sequence.PendingTokens > 0) prefilling++;
        }

        int prefillBudget = generating > 0 && prefilling <= generating
            ? prefillWhileDecoding
            : int.MaxValue;

        foreach (PlannerSequence sequence in sequences)
        {
            if (budget == 0)
            {
                break;
            }

            if (sequence.IsGenerating && sequence.PendingTokens > 0)
            {
                plan.Add(new PlannedChunk(sequence.Key, offset, 1, sequence.PendingTokens == 1));
                offset++;
                budget--;
            }
        }

        foreach (PlannerSequence sequence in sequences)
        {
            if (budget == 0)
            {
                break;
            }

            if (sequence.IsGenerating || sequence.PendingTokens <= 0)
            {
                continue;
            }

            int count = Math.Min(Math.Min(sequence.PendingTokens, maxPrefillChunk), Math.Min(budget, prefillBudget));
            if (count == 0)
            {
                break;
            }

            plan.Add(new PlannedChunk(sequence.Key, offset, count, count == sequence.PendingTokens));
            offset += count;
            budget -= count;
            prefillBudget -= count;
        }

        return plan;
    }

    /// <summary>
    /// The same chunks laid out in ascending key (sequence id) order, offsets recomputed. llama.cpp splits a batch
    /// for per-sequence KV streams into micro-batches of consecutive sequence ids taken from the first unused token on
    /// (<c>split_equal</c>, sequential), and each micro-batch reads every weight again: sequences 2, 0, 1, 3 in that
    /// order cost two passes, 0, 1, 2, 3 one.
    /// </summary>
    public static IReadOnlyList<PlannedChunk> InKeyOrder(IReadOnlyList<PlannedChunk> plan)
    {
        var ordered = new List<PlannedChunk>(plan);
        ordered.Sort((a, b) => a.Key.CompareTo(b.Key));
        int offset = 0;
        for (int i = 0; i < ordered.Count; i++)
        {
            ordered[i] = ordered[i] with { Offset = offset };
            offset += ordered[i].Count;
        }

        return ordered;
    }
}
