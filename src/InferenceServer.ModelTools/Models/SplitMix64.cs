namespace InferenceServer.ModelTools.Models;

/// <summary>
/// SplitMix64: a tiny generator whose sequence is fixed by its seed on every runtime and platform, for generated
/// weights and training data that must be reproducible.
/// </summary>
public struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
