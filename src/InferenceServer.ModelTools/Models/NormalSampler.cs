namespace InferenceServer.ModelTools.Models;

/// <summary>Fast deterministic normal samples (SplitMix64 + Box-Muller); identical on every platform for a given seed.</summary>
internal struct NormalSampler(ulong seed)
{
    private ulong _state = seed;

    private ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private double NextUnit() => ((NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));

    public void Fill(Span<float> destination, float std)
    {
        int i = 0;
        while (i < destination.Length)
        {
            double r = Math.Sqrt(-2.0 * Math.Log(NextUnit()));
            double theta = 2.0 * Math.PI * NextUnit();
            destination[i++] = (float)(r * Math.Cos(theta) * std);
            if (i < destination.Length) destination[i++] = (float)(r * Math.Sin(theta) * std);
        }
    }

    public static ulong Mix(int seed, int stream) => ((ulong)(uint)seed << 32 | (uint)stream) * 0xD1B54A32D192ED03UL + 0x8CB92BA72F3D8DD7UL;
}
