namespace InferenceServer.LlamaSharp.Tests;

/// <summary>The host tier's state memory: whole huge pages from 2 MiB on, freed exactly once.</summary>
public class NativeKvStateTests
{
    [Fact]
    public unsafe void A_state_of_two_mebibytes_or_more_takes_whole_aligned_huge_pages()
    {
        using var state = NativeKvState.Allocate(3_400_000);

        Assert.Equal(2 * NativeKvState.HugePageBytes, state.Capacity);
        Assert.Equal(state.Capacity, state.Bytes); // the host tier's budget counts what is held
        Assert.Equal(0, (long)state.Data % NativeKvState.HugePageBytes);
        if (OperatingSystem.IsLinux() && Directory.Exists("/sys/kernel/mm/transparent_hugepage"))
        {
            Assert.True(state.HugePagesAdvised);
        }

        new Span<byte>(state.Data, (int)state.Capacity).Fill(7); // every byte is writable
        state.SetLength(3_399_000);
        Assert.Equal(3_399_000, state.Length);
    }

    [Fact]
    public void A_large_state_asked_for_small_pages_is_neither_rounded_up_nor_advised()
    {
        using var state = NativeKvState.Allocate(3_400_000, hugePages: false);
        Assert.Equal((3_400_000L, false), (state.Capacity, state.HugePagesAdvised));
    }

    [Fact]
    public void A_small_state_is_not_rounded_up()
    {
        using var state = NativeKvState.Allocate(1000);
        Assert.Equal((1000L, 1000L, false), (state.Capacity, state.Bytes, state.HugePagesAdvised));
    }

    [Fact]
    public unsafe void Lengths_past_the_capacity_are_refused_and_a_disposed_state_has_no_memory()
    {
        var state = NativeKvState.Allocate(64);
        Assert.Throws<ArgumentOutOfRangeException>(() => state.SetLength(65));
        Assert.Throws<ArgumentOutOfRangeException>(() => NativeKvState.Allocate(0));

        state.Dispose();
        state.Dispose(); // idempotent
        Assert.Throws<ObjectDisposedException>(() => (nint)state.Data);
    }
}
