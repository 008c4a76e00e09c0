using InferenceServer.Core.Errors;

namespace InferenceServer.LlamaSharp;

/// <summary>Checks a model file before any native call, so a wrong path or a non-GGUF file gives a one-line
/// message instead of a native failure.</summary>
internal static class ModelFileCheck
{
    private static ReadOnlySpan<byte> GgufMagic => "GGUF"u8;

    /// <summary>Throws <see cref="FileNotFoundException"/> or <see cref="InferenceException"/> (one-line message
    /// naming the path and the reason) unless <paramref name="path"/> is a readable file starting with "GGUF".</summary>
    public static void EnsureGguf(string path, string configuredPath)
    {
        if (Directory.Exists(path))
        {
            throw new InferenceException(InferenceErrorKind.Internal,
                $"Model path '{path}' is a directory, not a GGUF file (Model:Path = '{configuredPath}').");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"Model file '{path}' does not exist (Model:Path = '{configuredPath}').", path);
        }

        Span<byte> magic = stackalloc byte[4];
        int read;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            read = stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InferenceException(InferenceErrorKind.Internal,
                $"Model file '{path}' cannot be read: {ex.Message}", inner: ex);
        }

        if (read < magic.Length || !magic.SequenceEqual(GgufMagic))
        {
            throw new InferenceException(InferenceErrorKind.Internal,
                $"Model file '{path}' is not a GGUF file (it does not start with the \"GGUF\" magic bytes).");
        }
    }
}
