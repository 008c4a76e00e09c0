namespace InferenceServer.Training.Training;

/// <summary>Linear warm-up, then cosine decay from the peak to <c>peak * floorFraction</c> over training progress 0..1.</summary>
public sealed record LearningRateSchedule(float Peak, int WarmupSteps, float FloorFraction = 0.1f)
{
    public float At(int step, double progress)
    {
        if (step < WarmupSteps) return Peak * (step + 1) / WarmupSteps;
        var p = Math.Clamp(progress, 0, 1);
        var cosine = 0.5 * (1 + Math.Cos(Math.PI * p));
        return (float)(Peak * (FloorFraction + (1 - FloorFraction) * cosine));
    }
}
