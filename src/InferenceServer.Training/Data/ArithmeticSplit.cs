namespace InferenceServer.Training.Data;

/// <summary>
/// Which operand pairs belong to training and which are held out. Fixed (independent of any seed): about one
/// pair in ten of each operation never appears in training data, so held-out arithmetic questions are unseen.
/// </summary>
public static class ArithmeticSplit
{
    /// <summary>True when (a, b) of the operation is reserved for evaluation.</summary>
    public static bool IsHeldOut(TaskKind operation, int a, int b)
    {
        var h = (ulong)(a * 100 + b + (operation == TaskKind.Subtraction ? 10_000 : 0)) + 0x5EED;
        h = (h ^ (h >> 16)) * 0x45D9F3BUL;
        h = (h ^ (h >> 16)) * 0x45D9F3BUL;
        h ^= h >> 16;
        return h % 10 == 3;
    }

    internal static (int A, int B) Draw(DeterministicRandom rng, TaskKind operation, DataSplit split)
    {
        while (true)
        {
            var a = rng.Next(100);
            var b = rng.Next(100);
            if (operation == TaskKind.Subtraction && b > a) (a, b) = (b, a);
            if (IsHeldOut(operation, a, b) == (split == DataSplit.HeldOut)) return (a, b);
        }
    }
}

/// <summary>Which side of the arithmetic hold-out a generator draws from.</summary>
public enum DataSplit
{
    Train,
    HeldOut,
}
