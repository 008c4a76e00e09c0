using System.Text.Json;
using InferenceServer.Training.Training;

namespace InferenceServer.Training.Reporting;

internal static class SummaryWriter
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public static void Write(string path, TrainingSummary summary) =>
        File.WriteAllText(path, JsonSerializer.Serialize(summary, Options) + "\n");

    public static void WriteSteps(string path, IReadOnlyList<StepRecord> records)
    {
        using var w = new StreamWriter(path);
        w.WriteLine("step,phase,loss,lr,seconds,tokens");
        foreach (var r in records)
        {
            w.WriteLine(FormattableString.Invariant($"{r.Step},{r.Phase},{r.Loss:F5},{r.LearningRate:E3},{r.ElapsedSeconds:F2},{r.Tokens}"));
        }
    }
}
