using System.Globalization;

namespace InferenceServer.Training.Data;

/// <summary>Relative frequency of each task in generated training data.</summary>
public sealed record TaskMix(IReadOnlyDictionary<TaskKind, double> Weights)
{
    /// <summary>
    /// Arithmetic (carries and borrows on unseen pairs, subtraction the harder) has the most to learn; the word tasks
    /// need their 6 % each (at 4 % they fell to 55-75 %), passages with a kind of fact per person are learned to ~75 %
    /// with less (docs/training.md, stop 9).
    /// </summary>
    public static TaskMix Default { get; } = new(new Dictionary<TaskKind, double>
    {
        [TaskKind.Addition] = 0.28,
        [TaskKind.Subtraction] = 0.36,
        [TaskKind.Uppercase] = 0.06,
        [TaskKind.Reverse] = 0.06,
        [TaskKind.LetterCount] = 0.06,
        [TaskKind.ContextQuestion] = 0.18,
    });

    public double Weight(TaskKind task) => Weights.GetValueOrDefault(task);

    /// <summary>"Addition=0.3,Subtraction=0.3,..." (task names as in <see cref="TaskKind"/>); unnamed tasks keep their default weight.</summary>
    public static TaskMix Parse(string text)
    {
        var weights = new Dictionary<TaskKind, double>(Default.Weights);
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split('=', 2);
            if (kv.Length != 2 || !Enum.TryParse<TaskKind>(kv[0], ignoreCase: true, out var task))
            {
                throw new ArgumentException($"Bad task weight '{part}': expected Task=weight with a task from {string.Join(", ", Enum.GetNames<TaskKind>())}.");
            }
            weights[task] = double.Parse(kv[1], CultureInfo.InvariantCulture);
        }
        var sum = weights.Values.Sum();
        if (sum <= 0) throw new ArgumentException("Task weights must not all be zero.");
        return new TaskMix(weights.ToDictionary(p => p.Key, p => p.Value / sum));
    }

    public override string ToString() =>
        string.Join(",", Weights.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}={p.Value:0.###}")));
}
