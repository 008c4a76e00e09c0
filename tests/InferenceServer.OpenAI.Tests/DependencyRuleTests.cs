using System.Reflection;
using InferenceServer.OpenAI.Json;

namespace InferenceServer.OpenAI.Tests;

public class DependencyRuleTests
{
    [Fact]
    public void Protocol_project_references_only_core_among_ours()
    {
        var ours = typeof(OpenAiJsonContext).Assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n.StartsWith("InferenceServer.", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(["InferenceServer.Core"], ours);
        Assert.DoesNotContain(typeof(OpenAiJsonContext).Assembly.GetReferencedAssemblies(), a => a.Name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || a.Name!.StartsWith("LLamaSharp", StringComparison.Ordinal));
    }
}
