using InferenceServer.Training.Training;
using ScottPlot;

namespace InferenceServer.Training.Reporting;

/// <summary>Loss per step (raw, faint) and its moving average, one colour per phase, as a PNG.</summary>
internal static class LossPlot
{
    public static void Write(string path, IReadOnlyList<StepRecord> records, string title)
    {
        var plot = new Plot();
        foreach (var (phase, color) in new[] { ("pretrain", Colors.SteelBlue), ("instruct", Colors.DarkOrange) })
        {
            var rows = records.Where(r => r.Phase == phase).ToList();
            if (rows.Count == 0) continue;
            var xs = rows.Select(r => (double)r.Step).ToArray();
            var raw = plot.Add.ScatterLine(xs, rows.Select(r => r.Loss).ToArray());
            raw.Color = color.WithAlpha(0.25);
            raw.LineWidth = 1;
            var smooth = plot.Add.ScatterLine(xs, MovingAverage(rows.Select(r => r.Loss).ToArray(), 25));
            smooth.Color = color;
            smooth.LineWidth = 2;
            smooth.LegendText = phase == "pretrain" ? "pretraining (plain text, all tokens)" : "instruction tuning (answer tokens)";
        }
        plot.Title(title);
        plot.XLabel("optimizer step");
        plot.YLabel("cross-entropy (nats/token)");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 900, 500);
    }

    private static double[] MovingAverage(double[] values, int window)
    {
        var result = new double[values.Length];
        double sum = 0;
        for (var i = 0; i < values.Length; i++)
        {
            sum += values[i];
            if (i >= window) sum -= values[i - window];
            result[i] = sum / Math.Min(i + 1, window);
        }
        return result;
    }
}
