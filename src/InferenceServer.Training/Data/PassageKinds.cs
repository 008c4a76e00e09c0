namespace InferenceServer.Training.Data;

/// <summary>
/// Reads a passage question (<see cref="TaskGenerator"/>'s sentence and question forms): whether the kind of fact it
/// asks is stated for more than one person, in which case only binding the asked name to its value answers it
/// (otherwise the kind alone finds the sentence).
/// </summary>
public static class PassageKinds
{
    private static readonly (string Question, string Sentence)[] Kinds =
    [
        ("Where does ", " lives in "),
        ("favorite color?", "'s favorite color is "),
        ("What pet does ", " has a pet "),
        ("job?", " works as a "),
    ];

    /// <summary>True when the prompt's last question asks a kind of fact that its passage states for two or more people.</summary>
    public static bool AskedKindIsShared(string prompt)
    {
        var lines = prompt.Split('\n');
        var question = lines[^1];
        var passage = string.Join("\n", lines[..^1]);
        foreach (var (q, sentence) in Kinds)
        {
            if (question.Contains(q, StringComparison.Ordinal)) return Count(passage, sentence) >= 2;
        }
        throw new ArgumentException($"Not a passage question: {question}", nameof(prompt));
    }

    private static int Count(string text, string value)
    {
        var n = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal)) n++;
        return n;
    }
}
