namespace InferenceServer.Api.Tests.Observability.RealServer;

/// <summary>
/// Finds the built server (InferenceServer.Api.dll with its runtimeconfig) to run as a child process: the test
/// project references the Api project, so the SDK copies the dll, its runtimeconfig and deps into this test's
/// output folder; failing that, the Api project's own bin folder for the same configuration.
/// </summary>
public static class ApiBuildOutput
{
    public const string DllName = "InferenceServer.Api.dll";
    private const string RuntimeConfigName = "InferenceServer.Api.runtimeconfig.json";

    public static string FindDll()
    {
        foreach (var dir in Candidates())
        {
            if (File.Exists(Path.Combine(dir, DllName)) && File.Exists(Path.Combine(dir, RuntimeConfigName)))
            {
                return Path.Combine(dir, DllName);
            }
        }

        throw new FileNotFoundException(
            $"{DllName} with {RuntimeConfigName} was found neither in {AppContext.BaseDirectory} nor in src/InferenceServer.Api/bin; build the Api project.");
    }

    private static IEnumerable<string> Candidates()
    {
        var baseDir = AppContext.BaseDirectory;
        yield return baseDir;

        // .../tests/InferenceServer.Api.Tests/bin/<Configuration>/<tfm>/
        var tfmDir = new DirectoryInfo(baseDir.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfmDir.Parent?.Name ?? "Debug";
        for (var dir = tfmDir; dir is not null; dir = dir.Parent)
        {
            var api = Path.Combine(dir.FullName, "src", "InferenceServer.Api", "bin");
            if (Directory.Exists(api))
            {
                yield return Path.Combine(api, configuration, tfmDir.Name);
                yield break;
            }
        }
    }
}
