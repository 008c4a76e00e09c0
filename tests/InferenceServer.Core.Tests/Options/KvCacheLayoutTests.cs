using InferenceServer.Core.Options;

namespace InferenceServer.Core.Tests.Options;

public class KvCacheLayoutTests
{
    [Theory]
    [InlineData(true, 4096, 8, 512, true)]          // explicit wins
    [InlineData(false, 2048, 8, 4096, false)]
    [InlineData(null, 4096, 8, 512, false)]         // the shipped settings and the embedded model: 512 per slot, nothing lost
    [InlineData(null, 16384, 16, 4096, true)]       // 1,024 per slot would refuse requests the pool accepts
    [InlineData(null, 65536, 16, 4096, false)]
    [InlineData(null, 0, 4, 2048, true)]            // 0 = the training context, shared by four slots
    [InlineData(null, 0, 1, 2048, true)]            // one slot: the same thing, the pool
    [InlineData(null, 8192, 1, 2048, true)]
    [InlineData(null, 4096, 8, 0, true)]            // unknown training context: keep every sequence's reach
    public void Explicit_choice_wins_else_one_stream_per_slot_only_when_a_slot_holds_the_training_context(
        bool? configured, int contextSize, int maxSequences, int trainingContext, bool expectedUnified) =>
        Assert.Equal(expectedUnified, KvCacheLayout.IsUnified(configured, contextSize, maxSequences, trainingContext));
}
