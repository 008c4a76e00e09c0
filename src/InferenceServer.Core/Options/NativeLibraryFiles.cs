namespace InferenceServer.Core.Options;

/// <summary>The file names of llama.cpp's libraries in a <see cref="ModelOptions.NativeLibraryDirectory"/> on this
/// operating system (libllama.so / libllama.dylib / llama.dll, and the same for mtmd).</summary>
public static class NativeLibraryFiles
{
    public static string Llama(string directory) => Path.Combine(directory, FileName("llama"));

    /// <summary>The multimodal library's path, or null when the directory has none (text models do not need it).</summary>
    public static string? Mtmd(string directory)
    {
        var path = Path.Combine(directory, FileName("mtmd"));
        return File.Exists(path) ? path : null;
    }

    private static string FileName(string library) =>
        OperatingSystem.IsWindows() ? library + ".dll"
        : OperatingSystem.IsMacOS() ? "lib" + library + ".dylib"
        : "lib" + library + ".so";
}
