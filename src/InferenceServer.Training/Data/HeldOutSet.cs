namespace InferenceServer.Training.Data;

/// <summary>
/// The evaluation set: generated with its own seed from the held-out side of the arithmetic split, the same
/// number of examples per task (round robin). Public so HTTP-level tests can send the same questions.
/// </summary>
public static class HeldOutSet
{
    public const int DefaultSeed = 20_241_127;

    public static IReadOnlyList<TaskExample> Generate(int count, int seed = DefaultSeed, bool mixedPassageKinds = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var generator = new TaskGenerator(seed, DataSplit.HeldOut, new DataRecipe { MixedPassageKinds = mixedPassageKinds });
        var tasks = Enum.GetValues<TaskKind>();
        var result = new List<TaskExample>(count);
        for (var i = 0; i < count; i++) result.Add(generator.Next(tasks[i % tasks.Length]));
        return result;
    }
}
