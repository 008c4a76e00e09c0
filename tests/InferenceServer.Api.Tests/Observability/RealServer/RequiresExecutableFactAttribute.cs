namespace InferenceServer.Api.Tests.Observability.RealServer;

/// <summary>A fact that is skipped (not failed, not passed) when an executable is not on the PATH, e.g. the
/// <c>prometheus</c> Debian package's binaries on a developer machine without it.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequiresExecutableFactAttribute : FactAttribute
{
    public RequiresExecutableFactAttribute(params string[] executables)
    {
        var missing = executables.Where(e => ExecutableLocator.Find(e) is null).ToArray();
        if (missing.Length > 0)
        {
            Skip = $"Needs {string.Join(", ", missing)} on the PATH (apt-get install prometheus).";
        }
    }
}

/// <summary>Finds executables on the PATH.</summary>
public static class ExecutableLocator
{
    public static string? Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
