using System.Text.RegularExpressions;
using InferenceServer.Training.Data;

namespace InferenceServer.Training.Tests.Data;

public sealed partial class TaskGeneratorTests
{
    [Fact]
    public void Same_seed_gives_the_same_examples_and_another_seed_does_not()
    {
        var a = Generate(new TaskGenerator(7, DataSplit.Train), 200);
        var b = Generate(new TaskGenerator(7, DataSplit.Train), 200);
        var c = Generate(new TaskGenerator(8, DataSplit.Train), 200);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Held_out_set_is_deterministic_and_balanced()
    {
        var first = HeldOutSet.Generate(60);
        var second = HeldOutSet.Generate(60);
        Assert.Equal(first.Select(Describe), second.Select(Describe));
        foreach (var task in Enum.GetValues<TaskKind>()) Assert.Equal(10, first.Count(e => e.Task == task));
    }

    [Fact]
    public void Every_answer_is_correct_for_its_question()
    {
        foreach (var ex in GenerateExamples(new TaskGenerator(3, DataSplit.Train), 3000).Concat(HeldOutSet.Generate(600)))
        {
            Assert.Equal(Solve(ex), ex.Answer);
            Assert.Equal("user", ex.Messages[^1].Role);
        }
    }

    [Fact]
    public void Held_out_arithmetic_pairs_never_appear_in_training_data()
    {
        var heldOut = HeldOutSet.Generate(1200).Where(e => e.Task is TaskKind.Addition or TaskKind.Subtraction).Select(Key).ToHashSet();
        Assert.NotEmpty(heldOut);
        var train = new TaskGenerator(1, DataSplit.Train);
        for (var i = 0; i < 20_000; i++)
        {
            var ex = train.Next();
            foreach (var user in ex.Messages.Where(m => m.Role == "user"))
            {
                if (Operands(user.Content) is { } op) Assert.False(ArithmeticSplit.IsHeldOut(op.Task, op.A, op.B), user.Content);
            }
            var line = train.NextPlainText();
            if (Operands(line) is { } p) Assert.False(ArithmeticSplit.IsHeldOut(p.Task, p.A, p.B), line);
        }
        foreach (var key in heldOut) Assert.True(ArithmeticSplit.IsHeldOut(key.Task, key.A, key.B));
    }

    [Fact]
    public void Examples_mix_system_prompts_and_few_shot_turns()
    {
        var examples = GenerateExamples(new TaskGenerator(5, DataSplit.Train), 1000);
        Assert.Contains(examples, e => e.HasSystemPrompt);
        Assert.Contains(examples, e => !e.HasSystemPrompt);
        Assert.Contains(examples, e => e.Shots == 0);
        Assert.Contains(examples, e => e.Shots > 0 && e.Messages.Count(m => m.Role == "assistant") == e.Shots);
        Assert.Contains(examples, e => e.Question.StartsWith("What is ", StringComparison.Ordinal) && e.Task == TaskKind.Addition);
        Assert.Contains(examples, e => e.Question.StartsWith("Compute ", StringComparison.Ordinal) && e.Task == TaskKind.Subtraction);
    }

    [Fact]
    public void Follow_up_passage_questions_are_answered_from_the_passage_they_follow()
    {
        var generator = new TaskGenerator(9, DataSplit.Train, new DataRecipe { PassageQuestions = 3 });
        var questionCounts = new HashSet<int>();
        for (var i = 0; i < 500; i++)
        {
            var turns = generator.Next(TaskKind.ContextQuestion).Messages.Where(m => m.Role != "system").ToList();
            var passageTurn = turns.FindLastIndex(m => m.Role == "user" && m.Content.Contains('.'));
            var passage = turns[passageTurn].Content;
            var dialogue = turns.Skip(passageTurn).ToList();
            questionCounts.Add((dialogue.Count + 1) / 2);
            for (var t = 1; t < dialogue.Count; t += 2)
            {
                Assert.Equal("assistant", dialogue[t].Role);
                Assert.Equal(PassageAnswer(passage, dialogue[t - 1].Content.Split('\n')[^1]), dialogue[t].Content);
            }
        }
        Assert.Equal([1, 2, 3], questionCounts.Order());

        var plain = new TaskGenerator(10, DataSplit.Train, new DataRecipe
        {
            Mix = TaskMix.Parse("Addition=0,Subtraction=0,Uppercase=0,Reverse=0,LetterCount=0,ContextQuestion=1"),
            EquationShare = 0,
            PassageQuestions = 3,
        });
        for (var i = 0; i < 200; i++)
        {
            var text = plain.NextPlainText();
            var lines = text.Split('\n');
            var answered = 0;
            for (var l = lines.Length - 1; l > 0 && lines[l - 1].EndsWith('?'); l -= 2, answered++)
            {
                Assert.Equal(PassageAnswer(text, lines[l - 1]), lines[l]);
            }
            Assert.InRange(answered, 1, 3);
        }
    }

    [Fact]
    public void Binding_drills_restate_every_fact_of_their_passage_in_another_order()
    {
        var generator = new TaskGenerator(12, DataSplit.Train, new DataRecipe { BindingDrillShare = 0.5 });
        var drills = 0;
        var reordered = 0;
        for (var i = 0; i < 400; i++)
        {
            var text = generator.NextPlainText();
            var lines = text.Split('\n');
            if (lines.Length != 2 || Sentences(lines[0]).Count == 0) continue; // equations and word-task lines
            drills++;
            var stated = Sentences(lines[0]);
            var restated = Sentences(lines[1]);
            Assert.InRange(stated.Count, 3, 5);
            Assert.Equal(stated.Order(), restated.Order());
            Assert.Equal(stated.Count, stated.Select(s => s.Split(' ', '\'')[0]).Distinct().Count()); // one sentence per person
            if (!stated.SequenceEqual(restated)) reordered++;
        }
        Assert.InRange(drills, 150, 250);
        Assert.True(reordered > drills / 2, $"{reordered} of {drills} drills restate in another order");

        static List<string> Sentences(string line) => Regex.Matches(line, @"[A-Z][a-z]+(?:'s favorite color is| lives in| has a pet| works as a) [A-Za-z]+\.").Select(m => m.Value).ToList();
    }

    [Fact]
    public void Mixed_passages_state_several_kinds_and_are_answered_from_the_passage()
    {
        var mixed = HeldOutSet.Generate(600, mixedPassageKinds: true).Where(e => e.Task == TaskKind.ContextQuestion).ToList();
        foreach (var ex in mixed) Assert.Equal(Solve(ex), ex.Answer);
        var shared = mixed.Count(e => PassageKinds.AskedKindIsShared(e.Question));
        // 2-3 people with one of four kinds each: the asked kind is another person's too in about a third of the questions.
        Assert.InRange(shared, 20, 50);
        Assert.Contains(mixed, e => KindsStated(e.Question) >= 2);

        var same = HeldOutSet.Generate(600, mixedPassageKinds: false).Where(e => e.Task == TaskKind.ContextQuestion).ToList();
        Assert.All(same, e => Assert.True(PassageKinds.AskedKindIsShared(e.Question), e.Question));
        Assert.All(same, e => Assert.Equal(1, KindsStated(e.Question)));

        static int KindsStated(string q) =>
            new[] { " lives in ", "'s favorite color is ", " has a pet ", " works as a " }.Count(k => q.Contains(k, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, 120, 220)]
    [InlineData(0.0, 0, 0)]
    [InlineData(0.5, 430, 570)]
    public void Subtract_from_share_sets_how_often_the_reversed_phrasing_is_asked(double? share, int min, int max)
    {
        var generator = new TaskGenerator(14, DataSplit.Train, new DataRecipe { SubtractFromShare = share });
        var examples = Enumerable.Range(0, 1000).Select(_ => generator.Next(TaskKind.Subtraction)).ToList();
        Assert.InRange(examples.Count(e => e.Question.StartsWith("Subtract ", StringComparison.Ordinal)), min, max);
        Assert.All(examples, e => Assert.Equal(Solve(e), e.Answer));
        Assert.Equal(share == 0 ? 5 : 6, examples.Select(e => Regex.Replace(e.Question, @"\d+", "N")).Distinct().Count());
    }

    [Theory]
    [InlineData("85", true)]
    [InlineData(" 85.\n", true)]
    [InlineData("86", false)]
    [InlineData("85 apples", false)]
    [InlineData("", false)]
    public void Answer_checker_is_exact_up_to_whitespace_and_a_final_period(string reply, bool expected)
    {
        var ex = new TaskExample(TaskKind.Addition, [new ChatTurn("user", "What is 37 + 48?")], "85", 0, false);
        Assert.Equal(expected, AnswerChecker.IsCorrect(ex, reply));
    }

    [Fact]
    public void Answer_checker_is_case_sensitive_for_uppercase()
    {
        var ex = new TaskExample(TaskKind.Uppercase, [new ChatTurn("user", "Convert \"cat\" to uppercase.")], "CAT", 0, false);
        Assert.True(AnswerChecker.IsCorrect(ex, "CAT"));
        Assert.False(AnswerChecker.IsCorrect(ex, "cat"));
    }

    private static List<string> Generate(TaskGenerator g, int n) => Enumerable.Range(0, n).Select(_ => Describe(g.Next())).ToList();

    private static List<TaskExample> GenerateExamples(TaskGenerator g, int n) => Enumerable.Range(0, n).Select(_ => g.Next()).ToList();

    private static string Describe(TaskExample e) => $"{e.Task}|{string.Join("|", e.Messages.Select(m => m.Role + ":" + m.Content))}|{e.Answer}";

    private static (TaskKind Task, int A, int B) Key(TaskExample e) => Operands(e.Question)!.Value;

    private static (TaskKind Task, int A, int B)? Operands(string text)
    {
        var m = Plus().Match(text);
        if (m.Success) return (TaskKind.Addition, int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value));
        m = Minus().Match(text);
        if (m.Success) return (TaskKind.Subtraction, int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value));
        m = SubtractFrom().Match(text);
        if (m.Success) return (TaskKind.Subtraction, int.Parse(m.Groups[2].Value), int.Parse(m.Groups[1].Value));
        return null;
    }

    private static string Solve(TaskExample e)
    {
        var q = e.Question;
        switch (e.Task)
        {
            case TaskKind.Addition:
            {
                var (_, a, b) = Operands(q)!.Value;
                return (a + b).ToString();
            }
            case TaskKind.Subtraction:
            {
                var (_, a, b) = Operands(q)!.Value;
                Assert.True(a >= b);
                return (a - b).ToString();
            }
            case TaskKind.Uppercase:
                return Quoted(q).ToUpperInvariant();
            case TaskKind.Reverse:
                return new string(Quoted(q).Reverse().ToArray());
            case TaskKind.LetterCount:
                return Quoted(q).Length.ToString();
            default:
                return PassageAnswer(q, q.Split('\n')[^1]);
        }
    }

    /// <summary>"Where does X live?" etc.: the value of the sentence about X in the passage.</summary>
    private static string PassageAnswer(string passage, string question)
    {
        var name = Regex.Match(question, @"(?:does |is )([A-Z][a-z]+)").Groups[1].Value;
        var sentence = Regex.Match(passage, $@"{name}(?:'s favorite color is| lives in| has a pet| works as a) ([A-Za-z]+)\.");
        Assert.True(sentence.Success, passage + " / " + question);
        return sentence.Groups[1].Value;
    }

    private static string Quoted(string q) => Regex.Match(q, "\"([a-z]+)\"").Groups[1].Value;

    [GeneratedRegex(@"(\d+) (?:\+|plus|and) (\d+)")]
    private static partial Regex Plus();

    [GeneratedRegex(@"(\d+) (?:-|minus) (\d+)")]
    private static partial Regex Minus();

    [GeneratedRegex(@"Subtract (\d+) from (\d+)")]
    private static partial Regex SubtractFrom();
}
