using System.Reflection;
using System.Runtime.CompilerServices;

namespace InferenceServer.Api.Tests.Architecture;

/// <summary>
/// The layering of the solution, checked on the built assemblies: the Jinja engine (Templating) depends on nothing
/// of ours, nor on ASP.NET Core or LLamaSharp; Core depends only on Templating among ours; OpenAI (protocol) and
/// LlamaSharp (backend) depend only on Core (and Templating through it); Api composes everything. And no production type keeps mutable static state.
/// </summary>
public sealed class DependencyRulesTests
{
    private const string Core = "InferenceServer.Core";
    private const string OpenAi = "InferenceServer.OpenAI";
    private const string LlamaSharp = "InferenceServer.LlamaSharp";
    private const string Api = "InferenceServer.Api";
    private const string Templating = "InferenceServer.Templating";

    public static TheoryData<string> ProductionAssemblies => new() { Templating, Core, OpenAi, LlamaSharp, Api };

    private static Assembly Load(string name) => Assembly.Load(new AssemblyName(name));

    private static string[] References(string assembly) =>
        Load(assembly).GetReferencedAssemblies().Select(a => a.Name!).OrderBy(n => n, StringComparer.Ordinal).ToArray();

    private static string[] Ours(string assembly) =>
        References(assembly).Where(n => n.StartsWith("InferenceServer.", StringComparison.Ordinal)).ToArray();

    private static bool IsAspNetCore(string name) => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal);

    private static bool IsLlamaSharp(string name) => name.StartsWith("LLamaSharp", StringComparison.OrdinalIgnoreCase) || name.Equals("LLama", StringComparison.OrdinalIgnoreCase);

    [Fact]
    public void Templating_references_none_of_our_assemblies_nor_aspnetcore_nor_llamasharp()
    {
        var references = References(Templating);
        Assert.Empty(Ours(Templating));
        Assert.DoesNotContain(references, IsAspNetCore);
        Assert.DoesNotContain(references, IsLlamaSharp);
    }

    [Fact]
    public void Core_references_only_the_template_engine_among_ours_and_no_aspnetcore_or_llamasharp()
    {
        var references = References(Core);
        Assert.Equal([Templating], Ours(Core));
        Assert.DoesNotContain(references, IsAspNetCore);
        Assert.DoesNotContain(references, IsLlamaSharp);
    }

    [Fact]
    public void OpenAi_protocol_references_only_core_and_no_aspnetcore_or_llamasharp()
    {
        var references = References(OpenAi);
        Assert.Equal([Core], Ours(OpenAi).Where(n => n != Templating));
        Assert.DoesNotContain(references, IsAspNetCore);
        Assert.DoesNotContain(references, IsLlamaSharp);
    }

    [Fact]
    public void LlamaSharp_backend_references_only_core_among_ours_and_really_uses_llamasharp()
    {
        Assert.Equal([Core], Ours(LlamaSharp).Where(n => n != Templating));
        Assert.DoesNotContain(References(LlamaSharp), IsAspNetCore);

        // Control: the predicate does recognise LLamaSharp, so the Core/OpenAI checks above can fail.
        Assert.Contains(References(LlamaSharp), IsLlamaSharp);
    }

    [Fact]
    public void Api_composes_core_openai_and_the_backend()
    {
        var ours = Ours(Api);
        Assert.Contains(Core, ours);
        Assert.Contains(OpenAi, ours);
        Assert.Contains(LlamaSharp, ours);
        Assert.Contains(References(Api), IsAspNetCore);
    }

    [Theory]
    [MemberData(nameof(ProductionAssemblies))]
    public void No_type_has_a_mutable_static_field(string assembly)
    {
        var offenders = MutableStaticFields(Load(assembly)).ToList();
        Assert.True(offenders.Count == 0, "Mutable static fields: " + string.Join(", ", offenders));
    }

    [Fact]
    public void The_mutable_static_field_check_finds_one()
    {
        Assert.Equal(
            [$"{typeof(WithMutableStatic).FullName}.Counter", $"{typeof(WithMutableStatic).FullName}.<Setting>k__BackingField"],
            MutableStaticFields(typeof(WithMutableStatic).Assembly).Where(f => f.StartsWith(typeof(WithMutableStatic).FullName!, StringComparison.Ordinal)).OrderBy(f => f.Length));
    }

    private static IEnumerable<string> MutableStaticFields(Assembly assembly)
    {
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            types = ex.Types.Where(t => t is not null).ToArray()!;
        }

        foreach (var type in types.Where(t => !IsCompilerGenerated(t)))
        {
            foreach (var field in type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.IsInitOnly || field.IsLiteral)
                {
                    continue;
                }

                // Compiler caches (lambda caches, fixed buffers) are not our state; backing fields of static
                // auto-properties with a setter are, and stay in.
                var backing = field.Name.EndsWith(">k__BackingField", StringComparison.Ordinal);
                if (!backing && (field.Name.StartsWith('<') || field.IsDefined(typeof(CompilerGeneratedAttribute), false)))
                {
                    continue;
                }

                yield return $"{type.FullName}.{field.Name}";
            }
        }
    }

    private static bool IsCompilerGenerated(Type type)
    {
        for (var t = type; t is not null; t = t.DeclaringType)
        {
            if (t.IsDefined(typeof(CompilerGeneratedAttribute), false) || t.Name.StartsWith('<'))
            {
                return true;
            }
        }

        return false;
    }

#pragma warning disable S2223, CA2211, CS0649 // deliberately bad: the control for the check above
    private static class WithMutableStatic
    {
        public static int Counter;
        public static readonly int Fine = 1;
        public const int AlsoFine = 2;

        public static string Setting { get; set; } = "";

        public static Func<int> Lambda => () => Counter + Fine;
    }
#pragma warning restore S2223, CA2211, CS0649
}
