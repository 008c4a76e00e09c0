namespace InferenceServer.Training.Data;

/// <summary>What a <see cref="TaskGenerator"/> draws, besides its seed and split; the defaults draw the data of the first shipped recipes.</summary>
public sealed record DataRecipe
{
    /// <summary>Relative frequency of each task.</summary>
    public TaskMix Mix { get; init; } = TaskMix.Default;
    /// <summary>Share of plain-text lines that are bare equations ("37 + 48 = 85").</summary>
    public double EquationShare { get; init; } = 0.6;
    /// <summary>
    /// Most questions asked about one passage (1 to 3): with more than one, a passage conversation asks 1 to this many
    /// questions in turn, each about a person drawn independently (so no answer follows by elimination), and a
    /// plain-text passage is followed by as many question/answer lines. 1 draws exactly the data it drew before.
    /// </summary>
    public int PassageQuestions { get; init; } = 1;
    /// <summary>Share of plain-text lines that are binding drills (0 draws exactly the data it drew before).</summary>
    public double BindingDrillShare { get; init; }
    /// <summary>
    /// Share of subtraction questions phrased "Subtract b from a." (the one phrasing that names the operands in reverse
    /// order); null draws the six phrasings uniformly, exactly the data it drew before.
    /// </summary>
    public double? SubtractFromShare { get; init; }
    /// <summary>
    /// Each person in a passage gets an independently drawn kind of fact, as text states them ("Anna lives in Paris.
    /// Ben has a pet dog."); a question then needs the name bound to its value only when another person shares the
    /// asked kind. False states one kind of fact about everyone (every question needs that binding).
    /// </summary>
    public bool MixedPassageKinds { get; init; }
}
