namespace InferenceServer.Training.Training;

/// <summary>One optimizer step as logged.</summary>
public sealed record StepRecord(int Step, string Phase, double Loss, float LearningRate, double ElapsedSeconds, long Tokens);
