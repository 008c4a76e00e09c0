namespace InferenceServer.Core.Options;

/// <summary>
/// How many CPU threads llama.cpp gets (<see cref="ModelOptions.Threads"/>). An explicit value (1 or more) wins;
/// -1 is one per processor; 0 (the default) chooses from the model's size: a file under
/// <see cref="SmallModelBytes"/> gets one thread (its decode steps are too short for OpenMP's hand-offs to pay, and
/// the other cores stay free for the HTTP side), anything larger gets one per processor the process may use
/// (<see cref="Environment.ProcessorCount"/>, which honours container CPU limits).
/// </summary>
public static class ThreadCount
{
    public const long SmallModelBytes = 64L * 1024 * 1024;

    public static int Resolve(int configured, long modelFileBytes, int processors) => configured switch
    {
        > 0 => configured,
        -1 => Math.Max(1, processors),
        _ => modelFileBytes < SmallModelBytes ? 1 : Math.Max(1, processors),
    };
}
