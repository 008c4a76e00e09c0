namespace InferenceServer.ModelTools.Models;

/// <summary>Fast deterministic normal samples (SplitMix64 + Box-Muller); identical on every platform for a given seed.</summary>
internal struct NormalSampler(ulong seed)
{
    private SplitMix64 _bits = new(seed);

    private double NextUnit() => ((_bits.NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));

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
