namespace InferenceServer.Core.Options;

/// <summary>
/// Resolves Model:Path: an absolute path as is; a relative one against AppContext.BaseDirectory first, then the
/// current directory.
/// </summary>
public static class ModelPathResolver
{
    /// <summary>The paths tried, in order.</summary>
    public static IReadOnlyList<string> Candidates(string path, string? baseDirectory = null, string? currentDirectory = null)
    {
        if (Path.IsPathRooted(path))
        {
            return [Path.GetFullPath(path)];
        }

        string first = Path.GetFullPath(Path.Combine(baseDirectory ?? AppContext.BaseDirectory, path));
        string second = Path.GetFullPath(Path.Combine(currentDirectory ?? Directory.GetCurrentDirectory(), path));
        return first == second ? [first] : [first, second];
    }

    /// <summary>The first existing candidate, or null.</summary>
    public static string? TryResolve(string path, string? baseDirectory = null, string? currentDirectory = null) =>
        string.IsNullOrWhiteSpace(path) ? null : Candidates(path, baseDirectory, currentDirectory).FirstOrDefault(File.Exists);

    /// <summary>The existing model file, or an <see cref="IOException"/> naming the key, the candidates and the override.</summary>
    public static string Resolve(string path, string? baseDirectory = null, string? currentDirectory = null) =>
        TryResolve(path, baseDirectory, currentDirectory) ?? throw new FileNotFoundException(NotFoundMessage(path, baseDirectory, currentDirectory));

    public static string NotFoundMessage(string path, string? baseDirectory = null, string? currentDirectory = null)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return "Model:Path is empty. Set it in appsettings.json or with the environment variable Model__Path.";
        }

        string tried = string.Join(", ", Candidates(path, baseDirectory, currentDirectory).Select(c => $"'{c}'"));
        return $"Model:Path '{path}' was not found (tried {tried}). Set Model:Path in appsettings.json or override it with the environment variable Model__Path (or --Model:Path=...).";
    }
}
