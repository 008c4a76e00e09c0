namespace InferenceServer.Core.Options;

/// <summary>The reserved values of <see cref="ModelOptions.CpuVariant"/>; any other value names a variant.</summary>
public static class CpuVariantNames
{
    public const string Auto = "auto";
    public const string Packaged = "packaged";

    /// <summary>How a variant's library is named: <c>libggml-cpu-&lt;name&gt;.so</c>, as ggml's all-variants build
    /// names them (shipped beside the server, or in <see cref="ModelOptions.CpuVariantsDirectory"/>).</summary>
    public const string FilePrefix = "libggml-cpu-";

    /// <summary>The search pattern for <see cref="FilePrefix"/> libraries in a directory.</summary>
    public const string FilePattern = FilePrefix + "*.so";
}
