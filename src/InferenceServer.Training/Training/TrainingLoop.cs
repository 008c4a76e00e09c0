using System.Diagnostics;
using InferenceServer.Training.Data;

namespace InferenceServer.Training.Training;

/// <summary>
/// The time- (or step-) budgeted schedule: plain-text pretraining on the task domain, then instruction tuning
/// on packed chat examples with loss on the assistant's answer only. One cosine learning-rate curve spans both.
/// The phases use two ggml-opt contexts over the same weights (all positions vs gathered answer positions),
/// each with its own AdamW moments.
/// </summary>
internal sealed class TrainingLoop(OptimizationSession dense, OptimizationSession masked, TrainingOptions options, Action<string> log)
{
    /// <param name="instructDense">Source of the dense (every-token) steps mixed into instruction tuning.</param>
    /// <param name="equations">Source of the first <see cref="TrainingOptions.EquationWarmupFraction"/> of the run (bare equations; pretraining steps only).</param>
    public IReadOnlyList<StepRecord> Run(BatchPacker pretrain, BatchPacker chat, BatchPacker instructDense, TimeProvider time, BatchPacker? equations = null)
    {
        var session = dense;
        var schedule = new LearningRateSchedule(options.PeakLearningRate, options.WarmupSteps);
        var budget = TimeSpan.FromMinutes(options.Minutes);
        var records = new List<StepRecord>();
        var denseBatch = new TokenBatch(dense.SeqLen, dense.BatchSize);
        var answerBatch = new TokenBatch(masked.SeqLen, masked.BatchSize);
        var start = time.GetTimestamp();
        long tokens = 0;
        var window = new List<double>();
        for (var step = 0; ; step++)
        {
            var elapsed = time.GetElapsedTime(start);
            double progress = options.Steps is { } total ? (double)step / total : elapsed / budget;
            if (progress >= 1) break;
            // After the pretraining share, every k-th step stays dense (every token labelled: plain text or whole chats).
            var plainStep = options.PlainTextMix > 0 && step % Math.Max(1, (int)Math.Round(1 / options.PlainTextMix)) == 0;
            var pretraining = progress < options.PretrainFraction;
            var phase = pretraining || plainStep ? "pretrain" : "instruct";
            var equationWarmup = equations is not null && pretraining && progress < options.EquationWarmupFraction;
            session = phase == "pretrain" ? dense : masked;
            var batch = phase == "pretrain" ? denseBatch : answerBatch;
            (equationWarmup ? equations! : pretraining ? pretrain : plainStep ? instructDense : chat).Fill(batch);
            var lr = schedule.At(step, progress);
            session.SetOptimizer(new OptimizerSettings(lr, WeightDecay: options.WeightDecay));
            var loss = session.TrainStep(batch);
            if (double.IsNaN(loss)) throw new InvalidOperationException($"Loss became NaN at step {step}.");
            tokens += batch.Tokens.Length;
            var seconds = time.GetElapsedTime(start).TotalSeconds;
            records.Add(new StepRecord(step, phase, loss, lr, seconds, tokens));
            window.Add(loss);
            if (step % options.LogEvery == 0)
            {
                log($"step {step,5}  {phase,-8}  loss {window.Average(),7:F4}  lr {lr:E2}  {seconds,7:F0}s  {tokens / Math.Max(seconds, 1e-9),6:F0} tok/s");
                window.Clear();
            }
        }
        return records;
    }
}
