using System.Text.Json.Nodes;
using InferenceServer.Templating.Runtime;

namespace InferenceServer.Templating.Tests.Differential;

/// <summary>
/// The differential corpus (written for this project, not copied from any model): Corpus/constructs/*.jinja
/// rendered with Corpus/contexts/constructs.json, and Corpus/families/*.jinja (templates in the style of each
/// popular model family) rendered with every Corpus/contexts/chat-*.json conversation.
/// </summary>
public static class Corpus
{
    private static readonly Lazy<IReadOnlyList<RenderCase>> AllCases = new(Load);
    private static readonly Lazy<IReadOnlyDictionary<string, ReferenceResult>> References = new(() => PythonJinja.Render(AllCases.Value));

    public static string Root => Path.Combine(AppContext.BaseDirectory, "Corpus");

    public static IReadOnlyList<RenderCase> Cases => AllCases.Value;

    /// <summary>Python jinja2's result for every case, computed in one python run.</summary>
    public static ReferenceResult Reference(string id) => References.Value[id];

    public static RenderCase Case(string id) => Cases.Single(c => c.Id == id);

    public static TheoryData<string> Ids(string group)
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases.Where(c => c.Id.StartsWith(group + "/", StringComparison.Ordinal))) data.Add(c.Id);
        return data;
    }

    public static Dictionary<string, Value> Variables(JsonObject context) =>
        context.ToDictionary(p => p.Key, p => ValueConverter.FromJson(System.Text.Json.JsonSerializer.SerializeToElement(p.Value)), StringComparer.Ordinal);

    private static IReadOnlyList<RenderCase> Load()
    {
        var cases = new List<RenderCase>();
        var constructs = Context("constructs.json");
        foreach (var file in Templates("constructs"))
        {
            cases.Add(new RenderCase($"constructs/{Path.GetFileNameWithoutExtension(file)}", File.ReadAllText(file), constructs));
        }

        var chats = Directory.GetFiles(Path.Combine(Root, "contexts"), "chat-*.json").Order(StringComparer.Ordinal).ToList();
        foreach (var file in Templates("families"))
        {
            foreach (var chat in chats)
            {
                cases.Add(new RenderCase(
                    $"families/{Path.GetFileNameWithoutExtension(file)}/{Path.GetFileNameWithoutExtension(chat)}",
                    File.ReadAllText(file),
                    Context(Path.GetFileName(chat))));
            }
        }

        return cases;
    }

    private static IEnumerable<string> Templates(string folder) =>
        Directory.GetFiles(Path.Combine(Root, folder), "*.jinja").Order(StringComparer.Ordinal);

    private static JsonObject Context(string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "contexts", name)))!.AsObject();
}
