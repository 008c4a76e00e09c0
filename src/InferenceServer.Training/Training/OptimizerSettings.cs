namespace InferenceServer.Training.Training;

/// <summary>AdamW settings handed to ggml-opt before every optimizer step.</summary>
public sealed record OptimizerSettings(float LearningRate, float Beta1 = 0.9f, float Beta2 = 0.99f, float Epsilon = 1e-8f, float WeightDecay = 0.0f);
