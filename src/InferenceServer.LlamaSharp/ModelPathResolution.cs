namespace InferenceServer.LlamaSharp;

/// <summary>Resolves <c>Model:Path</c>: absolute as is, else relative to the application's base directory when
/// that file exists, else relative to the working directory. (Kept in one place so it can be swapped for Core's
/// resolver.)</summary>
internal static class ModelPathResolution
{
    public static string Resolve(string configuredPath)
    {
        if (string.IsNullOrWhiteSpace(configuredPath))
        {
            throw new ArgumentException("Model:Path is empty.", nameof(configuredPath));
        }

        if (Path.IsPathFullyQualified(configuredPath))
        {
            return configuredPath;
        }

        var underBase = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, configuredPath));
        return File.Exists(underBase) ? underBase : Path.GetFullPath(configuredPath);
    }
}
