using System.Globalization;

namespace InferenceServer.Training.Data;

/// <summary>
/// Deterministic generator of chat tasks with checkable answers: arithmetic (+, - on whole numbers 0..99, several
/// phrasings), word tasks (upper-case, reverse, count letters), and questions answered from a short passage in
/// the prompt; with and without a system prompt, zero-shot or with 1-2 worked examples as earlier turns.
/// </summary>
public sealed class TaskGenerator
{
    private static readonly TaskKind[] AllTasks = Enum.GetValues<TaskKind>();
    private static readonly int[] OtherSubtractionForms = [0, 1, 2, 3, 5];
    private readonly DeterministicRandom _rng;
    private readonly DataSplit _split;
    private readonly DataRecipe _recipe;

    public TaskGenerator(int seed, DataSplit split, DataRecipe? recipe = null)
    {
        _recipe = recipe ?? new DataRecipe();
        ArgumentOutOfRangeException.ThrowIfLessThan(_recipe.PassageQuestions, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_recipe.PassageQuestions, 3);
        _rng = new DeterministicRandom((ulong)seed * 0x2545F4914F6CDD1DUL + (ulong)split + 1);
        _split = split;
    }

    public TaskKind NextTask()
    {
        var r = _rng.NextDouble();
        foreach (var t in AllTasks)
        {
            r -= _recipe.Mix.Weight(t);
            if (r < 0) return t;
        }
        return AllTasks[^1];
    }

    /// <summary>Next chat example of a task drawn by the task mix.</summary>
    public TaskExample Next() => Next(NextTask());

    /// <summary>Next chat example of the given task.</summary>
    public TaskExample Next(TaskKind task)
    {
        var messages = new List<ChatTurn>();
        var hasSystem = _rng.NextDouble() < 0.4;
        if (hasSystem) messages.Add(new ChatTurn("system", _rng.Pick(Lexicon.SystemPrompts)));
        var r = _rng.NextDouble();
        // Passages are long: at most one worked example there, so every prompt fits a 256-token sequence.
        var shots = r < 0.7 ? 0 : r < 0.88 || task == TaskKind.ContextQuestion ? 1 : 2;
        for (var i = 0; i < shots; i++)
        {
            // Worked examples always come from the training side of the split.
            var (q, a) = Question(task, DataSplit.Train);
            messages.Add(new ChatTurn("user", q));
            messages.Add(new ChatTurn("assistant", a));
        }
        if (task == TaskKind.ContextQuestion && _recipe.PassageQuestions > 1)
        {
            var dialogue = PassageDialogue(_rng.Next(1, _recipe.PassageQuestions + 1));
            for (var i = 0; i < dialogue.Count - 1; i++)
            {
                messages.Add(new ChatTurn("user", dialogue[i].Question));
                messages.Add(new ChatTurn("assistant", dialogue[i].Answer));
            }
            messages.Add(new ChatTurn("user", dialogue[^1].Question));
            return new TaskExample(task, messages, dialogue[^1].Answer, shots, hasSystem);
        }
        var (question, answer) = Question(task, _split);
        messages.Add(new ChatTurn("user", question));
        return new TaskExample(task, messages, answer, shots, hasSystem);
    }

    /// <summary>
    /// A line of plain text from the same domain, for the pretraining phase: mostly bare equations
    /// ("37 + 48 = 85", the densest arithmetic signal), otherwise a question and its answer on the next line.
    /// </summary>
    public string NextPlainText()
    {
        if (_recipe.BindingDrillShare > 0 && _rng.NextDouble() < _recipe.BindingDrillShare) return BindingDrill();
        var r = _rng.NextDouble();
        if (r < _recipe.EquationShare)
        {
            var task = r < _recipe.EquationShare / 2 ? TaskKind.Addition : TaskKind.Subtraction;
            var (x, y) = ArithmeticSplit.Draw(_rng, task, _split);
            return task == TaskKind.Addition ? Invariant($"{x} + {y} = {x + y}") : Invariant($"{x} - {y} = {x - y}");
        }
        var next = NextTask();
        if (next == TaskKind.ContextQuestion && _recipe.PassageQuestions > 1)
        {
            return string.Join("\n", PassageDialogue(_rng.Next(1, _recipe.PassageQuestions + 1)).Select(t => t.Question + "\n" + t.Answer));
        }
        var (q, a) = Question(next, _split);
        return q + "\n" + a;
    }

    private (string Question, string Answer) Question(TaskKind task, DataSplit split) => task switch
    {
        TaskKind.Addition => Addition(split),
        TaskKind.Subtraction => Subtraction(split),
        TaskKind.Uppercase => Uppercase(),
        TaskKind.Reverse => Reverse(),
        TaskKind.LetterCount => LetterCount(),
        TaskKind.ContextQuestion => ContextQuestion(),
        _ => throw new ArgumentOutOfRangeException(nameof(task)),
    };

    private (string, string) Addition(DataSplit split)
    {
        var (a, b) = ArithmeticSplit.Draw(_rng, TaskKind.Addition, split);
        var q = _rng.Next(6) switch
        {
            0 => $"What is {a} + {b}?",
            1 => $"Compute {a} + {b}.",
            2 => $"Calculate {a} plus {b}.",
            3 => $"What is the sum of {a} and {b}?",
            4 => $"Add {a} and {b}.",
            _ => $"{a} + {b} = ?",
        };
        return (q, Invariant($"{a + b}"));
    }

    private (string, string) Subtraction(DataSplit split)
    {
        var (a, b) = ArithmeticSplit.Draw(_rng, TaskKind.Subtraction, split);
        const int subtractFrom = 4;
        var form = _recipe.SubtractFromShare is not { } share ? _rng.Next(6)
            : _rng.NextDouble() < share ? subtractFrom
            : OtherSubtractionForms[_rng.Next(OtherSubtractionForms.Length)];
        var q = form switch
        {
            0 => $"What is {a} - {b}?",
            1 => $"Compute {a} - {b}.",
            2 => $"Calculate {a} minus {b}.",
            3 => $"What is {a} minus {b}?",
            subtractFrom => $"Subtract {b} from {a}.",
            _ => $"{a} - {b} = ?",
        };
        return (q, Invariant($"{a - b}"));
    }

    private (string, string) Uppercase()
    {
        var w = _rng.Pick(Lexicon.Words);
        var q = _rng.Next(4) switch
        {
            0 => $"Convert \"{w}\" to uppercase.",
            1 => $"Write the word \"{w}\" in capital letters.",
            2 => $"What is \"{w}\" in uppercase?",
            _ => $"Uppercase this word: \"{w}\"",
        };
        return (q, w.ToUpperInvariant());
    }

    private (string, string) Reverse()
    {
        var w = _rng.Pick(Lexicon.Words);
        var q = _rng.Next(4) switch
        {
            0 => $"Reverse the word \"{w}\".",
            1 => $"Spell \"{w}\" backwards.",
            2 => $"What is \"{w}\" reversed?",
            _ => $"Write \"{w}\" in reverse order.",
        };
        var chars = w.ToCharArray();
        Array.Reverse(chars);
        return (q, new string(chars));
    }

    private (string, string) LetterCount()
    {
        var w = _rng.Pick(Lexicon.Words);
        var q = _rng.Next(4) switch
        {
            0 => $"How many letters are in the word \"{w}\"?",
            1 => $"Count the letters in \"{w}\".",
            2 => $"How many letters does \"{w}\" have?",
            _ => $"What is the length of the word \"{w}\"?",
        };
        return (q, Invariant($"{w.Length}"));
    }

    private (string, string) ContextQuestion() => PassageDialogue(1)[0];

    /// <summary>
    /// A passage of 2-3 facts of one kind about different people and <paramref name="questions"/> questions about it:
    /// the first carries the passage, the others are the bare question of a person drawn again.
    /// </summary>
    private List<(string Question, string Answer)> PassageDialogue(int questions)
    {
        var facts = Facts(_rng.Next(2, 4), _recipe.MixedPassageKinds);
        var target = facts[_rng.Next(facts.Count)];
        var passage = string.Join(" ", facts.Select(f => f.Sentence));
        var q = _rng.Next(3) switch
        {
            0 => $"Context: {passage}\nQuestion: {target.Question}",
            1 => $"Read the text and answer the question.\nText: {passage}\nQuestion: {target.Question}",
            _ => $"{passage}\n{target.Question}",
        };
        var dialogue = new List<(string, string)> { (q, target.Answer) };
        while (dialogue.Count < questions)
        {
            var next = facts[_rng.Next(facts.Count)];
            dialogue.Add((next.Question, next.Answer));
        }
        return dialogue;
    }

    /// <summary>
    /// A binding drill for plain text: 3-5 facts of one kind about different people, then every fact stated again
    /// in a shuffled order. With loss on every token, each restated value can only be predicted by finding the
    /// earlier sentence about the same person (the name-to-value binding that passage questions need), so one line
    /// carries 3-5 bindings instead of one.
    /// </summary>
    private string BindingDrill()
    {
        var facts = Facts(_rng.Next(3, 6), mixedKinds: false);
        var order = Enumerable.Range(0, facts.Count).ToArray();
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = _rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return string.Join(" ", facts.Select(f => f.Sentence)) + "\n" + string.Join(" ", order.Select(i => facts[i].Sentence));
    }

    /// <summary>
    /// <paramref name="count"/> facts about different people, distinct values: all of one randomly drawn kind, or with
    /// <paramref name="mixedKinds"/> a kind drawn for each person.
    /// </summary>
    private List<(string Sentence, string Question, string Answer)> Facts(int count, bool mixedKinds)
    {
        var names = new List<string>();
        while (names.Count < count)
        {
            var n = _rng.Pick(Lexicon.Names);
            if (!names.Contains(n)) names.Add(n);
        }
        var kind = _rng.Next(4);
        var facts = new List<(string Sentence, string Question, string Answer)>();
        var used = new HashSet<string>();
        foreach (var name in names)
        {
            if (mixedKinds) kind = _rng.Next(4);
            string value;
            do
            {
                value = kind switch
                {
                    0 => _rng.Pick(Lexicon.Cities),
                    1 => _rng.Pick(Lexicon.Colors),
                    2 => _rng.Pick(Lexicon.Animals),
                    _ => _rng.Pick(Lexicon.Jobs),
                };
            }
            while (!used.Add(value));
            facts.Add(kind switch
            {
                0 => ($"{name} lives in {value}.", $"Where does {name} live?", value),
                1 => ($"{name}'s favorite color is {value}.", $"What is {name}'s favorite color?", value),
                2 => ($"{name} has a pet {value}.", $"What pet does {name} have?", value),
                _ => ($"{name} works as a {value}.", $"What is {name}'s job?", value),
            });
        }
        return facts;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
