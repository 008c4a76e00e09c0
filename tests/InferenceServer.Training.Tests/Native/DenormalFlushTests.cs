using InferenceServer.Training.Native;

namespace InferenceServer.Training.Tests.Native;

/// <summary>FTZ/DAZ on the training thread: denormal results become zero there, and threads it starts inherit it.</summary>
public sealed class DenormalFlushTests
{
    [Fact]
    public void Flushes_denormals_on_the_calling_thread_and_the_threads_it_starts()
    {
        if (!DenormalFlush.IsSupported)
        {
            Assert.False(DenormalFlush.Enable());
            return;
        }
        // A thread of its own, so the test runner's threads keep IEEE denormals.
        (bool Before, bool Enabled, float Product, bool ChildEnabled, float ChildProduct) result = default;
        var thread = new Thread(() =>
        {
            var before = DenormalFlush.IsEnabled;
            var tiny = Smallest();
            var enabled = DenormalFlush.Enable();
            var product = tiny * One();
            bool childEnabled = false;
            float childProduct = -1;
            var child = new Thread(() => { childEnabled = DenormalFlush.IsEnabled; childProduct = Smallest() * One(); });
            child.Start();
            child.Join();
            result = (before, enabled, product, childEnabled, childProduct);
        });
        thread.Start();
        thread.Join();

        Assert.False(result.Before);
        Assert.True(result.Enabled);
        Assert.Equal(0f, result.Product);
        Assert.True(result.ChildEnabled);
        Assert.Equal(0f, result.ChildProduct);
        // This thread was not touched: the smallest denormal survives a multiplication by one.
        Assert.Equal(Smallest(), Smallest() * One());
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static float Smallest() => BitConverter.Int32BitsToSingle(1);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static float One() => float.Parse("1", System.Globalization.CultureInfo.InvariantCulture);
}
