namespace InferenceServer.Templating.Tests.Differential;

/// <summary>Every corpus case renders byte-identically to Python jinja2 (configured as transformers does), and a
/// case that raises in Python raises here too.</summary>
public sealed class DifferentialTests
{
    public static TheoryData<string> Constructs => Corpus.Ids("constructs");
    public static TheoryData<string> Families => Corpus.Ids("families");

    [RequiresJinja2Theory]
    [MemberData(nameof(Constructs))]
    public void Construct_renders_like_jinja2(string id) => AssertSame(id);

    [RequiresJinja2Theory]
    [MemberData(nameof(Families))]
    public void Family_template_renders_like_jinja2(string id) => AssertSame(id);

    [RequiresJinja2Fact]
    public void The_corpus_covers_every_family_and_chat_shape()
    {
        var families = Corpus.Cases.Where(c => c.Id.StartsWith("families/", StringComparison.Ordinal)).Select(c => c.Id.Split('/')[1]).Distinct().ToList();
        Assert.True(families.Count >= 15, "families: " + string.Join(", ", families));
        var chats = Corpus.Cases.Where(c => c.Id.StartsWith("families/", StringComparison.Ordinal)).Select(c => c.Id.Split('/')[2]).Distinct().ToList();
        Assert.Superset(new HashSet<string> { "chat-plain", "chat-multiturn", "chat-system", "chat-nonascii", "chat-tools", "chat-toolcall-roundtrip" }, chats.ToHashSet());
    }

    private static void AssertSame(string id)
    {
        var testCase = Corpus.Case(id);
        var expected = Corpus.Reference(id);
        string actual;
        try
        {
            actual = Template.Parse(testCase.Template).Render(Corpus.Variables(testCase.Context));
        }
        catch (TemplateException ex)
        {
            Assert.False(expected.Ok, $"jinja2 rendered it but we raised: {ex.Message}\n--- jinja2 ---\n{expected.Output}");
            return;
        }

        Assert.True(expected.Ok, $"jinja2 raised '{expected.Error}' but we rendered:\n{actual}");
        Assert.Equal(expected.Output, actual);
    }
}
