using InferenceServer.ModelTools.Models;

namespace InferenceServer.Training.Data;

/// <summary>Uniform draws for generated training data over <see cref="SplitMix64"/> (same sequence on every runtime).</summary>
internal sealed class DeterministicRandom(ulong seed)
{
    private SplitMix64 _bits = new(seed);

    public ulong NextUInt64() => _bits.NextUInt64();

    /// <summary>Uniform integer in [0, maxExclusive).</summary>
    public int Next(int maxExclusive) => (int)(NextUInt64() % (ulong)maxExclusive);

    public int Next(int minInclusive, int maxExclusive) => minInclusive + Next(maxExclusive - minInclusive);

    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>Normal(0,1) by Box-Muller.</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
