using InferenceServer.Core.Options;

namespace InferenceServer.Core.Tests.Options;

public class ThreadCountTests
{
    [Theory]
    [InlineData(3, 500_000_000L, 16, 3)]            // explicit wins
    [InlineData(1, 500_000_000L, 16, 1)]
    [InlineData(-1, 1_000L, 8, 8)]                  // one per processor
    [InlineData(0, 3_400_000L, 2, 1)]               // the 3.4 MB default model: one thread
    [InlineData(0, ThreadCount.SmallModelBytes - 1, 16, 1)]
    [InlineData(0, ThreadCount.SmallModelBytes, 16, 16)]
    [InlineData(0, 474L * 1024 * 1024, 2, 2)]       // a 0.85B Q4_0 model on 2 cores: both
    [InlineData(0, 474L * 1024 * 1024, 0, 1)]
    public void Resolves_the_configured_value_or_chooses_from_the_model_size(int configured, long bytes, int processors, int expected) =>
        Assert.Equal(expected, ThreadCount.Resolve(configured, bytes, processors));
}
