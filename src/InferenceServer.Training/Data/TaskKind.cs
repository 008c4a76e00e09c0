namespace InferenceServer.Training.Data;

/// <summary>The skills the default model is trained and evaluated on.</summary>
public enum TaskKind
{
    Addition,
    Subtraction,
    Uppercase,
    Reverse,
    LetterCount,
    ContextQuestion,
}
