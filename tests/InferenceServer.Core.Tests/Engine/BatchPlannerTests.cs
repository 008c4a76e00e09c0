using InferenceServer.Core.Engine;

namespace InferenceServer.Core.Tests.Engine;

public class BatchPlannerTests
{
    [Fact]
    public void Decode_tokens_come_first_then_prefill_in_admission_order()
    {
        var plan = BatchPlanner.Plan(
        [
            new PlannerSequence(Key: 3, PendingTokens: 10, IsGenerating: false),
            new PlannerSequence(Key: 1, PendingTokens: 1, IsGenerating: true),
            new PlannerSequence(Key: 2, PendingTokens: 5, IsGenerating: false),
            new PlannerSequence(Key: 0, PendingTokens: 1, IsGenerating: true),
        ], batchBudget: 100, freeKvCells: 1000, maxPrefillChunk: 512);

        Assert.Equal(
        [
            new PlannedChunk(1, 0, 1, true),
            new PlannedChunk(0, 1, 1, true),
            new PlannedChunk(3, 2, 10, true),
            new PlannedChunk(2, 12, 5, true),
        ], plan);
    }

    [Fact]
    public void Long_prompts_are_chunked_and_share_the_budget()
    {
        var plan = BatchPlanner.Plan(
        [
            new PlannerSequence(0, 1000, false),
            new PlannerSequence(1, 1000, false),
            new PlannerSequence(2, 1, true),
        ], batchBudget: 64, freeKvCells: 5000, maxPrefillChunk: 32);

        Assert.Equal(
        [
            new PlannedChunk(2, 0, 1, true),
            new PlannedChunk(0, 1, 32, false),
            new PlannedChunk(1, 33, 31, false),
        ], plan);
        Assert.Equal(64, plan.Sum(c => c.Count));
    }

    [Fact]
    public void Logits_only_when_the_chunk_ends_the_pending_tokens()
    {
        var plan = BatchPlanner.Plan([new PlannerSequence(0, 40, false)], batchBudget: 512, freeKvCells: 512, maxPrefillChunk: 16);
        Assert.Equal([new PlannedChunk(0, 0, 16, false)], plan);
        plan = BatchPlanner.Plan([new PlannerSequence(0, 8, false)], batchBudget: 512, freeKvCells: 512, maxPrefillChunk: 16);
        Assert.Equal([new PlannedChunk(0, 0, 8, true)], plan);
        Assert.Equal(7, plan[0].LastIndex);
    }

    [Fact]
    public void Budget_and_free_kv_cells_bound_the_batch()
    {
        var sequences = Enumerable.Range(0, 6).Select(i => new PlannerSequence(i, 1, true)).ToList();
        Assert.Equal(4, BatchPlanner.Plan(sequences, batchBudget: 4, freeKvCells: 100, maxPrefillChunk: 8).Count);
        Assert.Equal(3, BatchPlanner.Plan(sequences, batchBudget: 10, freeKvCells: 3, maxPrefillChunk: 8).Count);
        Assert.Empty(BatchPlanner.Plan(sequences, batchBudget: 10, freeKvCells: 0, maxPrefillChunk: 8));
        Assert.Empty(BatchPlanner.Plan([], batchBudget: 10, freeKvCells: 10, maxPrefillChunk: 8));
    }

    [Fact]
    public void Prefill_after_decode_gets_only_the_remaining_budget()
    {
        var plan = BatchPlanner.Plan(
        [
            new PlannerSequence(0, 100, false),
            new PlannerSequence(1, 1, true),
            new PlannerSequence(2, 1, true),
        ], batchBudget: 10, freeKvCells: 100, maxPrefillChunk: 64);
        Assert.Equal([1, 1, 8], plan.Select(c => c.Count));
        Assert.False(plan[2].WantLogits);
    }
}

public class BatchPlannerDecodeAwarePrefillTests
{
    [Fact]
    public void A_long_prompt_among_more_generating_streams_gets_a_small_share_of_the_step()
    {
        var sequences = Enumerable.Range(0, 8).Select(i => new PlannerSequence(i, 1, true)).Append(new PlannerSequence(8, 2000, false)).ToList();
        var plan = BatchPlanner.Plan(sequences, batchBudget: 2048, freeKvCells: 10_000, maxPrefillChunk: 512, prefillWhileDecoding: 16);
        Assert.Equal(8, plan.Count(c => c.Key < 8));
        Assert.Equal(16, plan.Single(c => c.Key == 8).Count);
    }

    [Fact]
    public void Two_prompts_among_generating_streams_share_the_prompt_budget_in_admission_order()
    {
        var sequences = Enumerable.Range(0, 8).Select(i => new PlannerSequence(i, 1, true))
            .Append(new PlannerSequence(8, 10, false)).Append(new PlannerSequence(9, 100, false)).ToList();
        var plan = BatchPlanner.Plan(sequences, batchBudget: 2048, freeKvCells: 10_000, maxPrefillChunk: 512, prefillWhileDecoding: 16);
        Assert.Equal(10, plan.Single(c => c.Key == 8).Count);
        Assert.True(plan.Single(c => c.Key == 8).WantLogits);
        Assert.Equal(6, plan.Single(c => c.Key == 9).Count);
    }

    [Fact]
    public void A_burst_of_prompts_outnumbering_the_generating_streams_gets_the_whole_budget()
    {
        var sequences = new List<PlannerSequence> { new(0, 1, true) };
        sequences.AddRange(Enumerable.Range(1, 15).Select(i => new PlannerSequence(i, 100, false)));
        var plan = BatchPlanner.Plan(sequences, batchBudget: 2048, freeKvCells: 10_000, maxPrefillChunk: 512, prefillWhileDecoding: 16);
        Assert.Equal(1 + 1500, plan.Sum(c => c.Count));
        Assert.All(plan.Where(c => c.Key > 0), c => Assert.True(c.WantLogits));
    }

    [Fact]
    public void Without_generating_streams_prompts_fill_the_batch()
    {
        var plan = BatchPlanner.Plan([new PlannerSequence(0, 2000, false)], batchBudget: 2048, freeKvCells: 10_000, maxPrefillChunk: 512, prefillWhileDecoding: 16);
        Assert.Equal(512, plan.Single().Count);
    }

    [Fact]
    public void Key_order_lays_chunks_out_by_sequence_id_and_recomputes_their_offsets()
    {
        var plan = BatchPlanner.Plan(
        [
            new PlannerSequence(Key: 3, PendingTokens: 10, IsGenerating: false),
            new PlannerSequence(Key: 1, PendingTokens: 1, IsGenerating: true),
            new PlannerSequence(Key: 2, PendingTokens: 5, IsGenerating: false),
            new PlannerSequence(Key: 0, PendingTokens: 1, IsGenerating: true),
        ], batchBudget: 100, freeKvCells: 1000, maxPrefillChunk: 512);

        Assert.Equal(
        [
            new PlannedChunk(0, 0, 1, true),
            new PlannedChunk(1, 1, 1, true),
            new PlannedChunk(2, 2, 5, true),
            new PlannedChunk(3, 7, 10, true),
        ], BatchPlanner.InKeyOrder(plan));
    }
}
