namespace InferenceServer.Training.Data;

/// <summary>Exact-match scoring of a model's reply against a task's answer.</summary>
public static class AnswerChecker
{
    /// <summary>
    /// True when the reply, with surrounding whitespace and one trailing period removed, equals the answer
    /// (case-sensitive, except for answers copied from a passage, where case is ignored).
    /// </summary>
    public static bool IsCorrect(TaskExample example, string reply)
    {
        ArgumentNullException.ThrowIfNull(example);
        var text = Normalize(reply);
        var comparison = example.Task == TaskKind.ContextQuestion ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return string.Equals(text, example.Answer, comparison);
    }

    public static string Normalize(string? reply)
    {
        var text = (reply ?? string.Empty).Trim();
        if (text.EndsWith('.')) text = text[..^1].TrimEnd();
        return text;
    }
}
