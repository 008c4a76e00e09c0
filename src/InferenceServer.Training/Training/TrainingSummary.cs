using InferenceServer.Training.Evaluation;
using InferenceServer.Training.Model;

namespace InferenceServer.Training.Training;

/// <summary>What a training run produced (written as JSON next to the loss curve).</summary>
public sealed record TrainingSummary
{
    public required string OutputPath { get; init; }
    public required ModelConfig Model { get; init; }
    public required long ParameterCount { get; init; }
    public required int Seed { get; init; }
    public required string Recipe { get; init; }
    public required int Threads { get; init; }
    public required int SequenceLength { get; init; }
    public required int BatchSize { get; init; }
    public required int Steps { get; init; }
    public required int PretrainSteps { get; init; }
    public required int InstructSteps { get; init; }
    public required double TrainingSeconds { get; init; }
    public required double TotalSeconds { get; init; }
    public required long TrainingTokens { get; init; }
    public required double? FirstLoss { get; init; }
    public required double? FinalPretrainLoss { get; init; }
    public required double? FinalInstructLoss { get; init; }
    public CrossEntropyComparison? CrossEntropy { get; init; }
    public EvaluationResult? Evaluation { get; init; }
    public required string TokenizerParity { get; init; }
    public required string NativeCommit { get; init; }
}
