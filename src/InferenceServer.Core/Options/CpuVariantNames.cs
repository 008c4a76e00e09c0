namespace InferenceServer.Core.Options;

/// <summary>The reserved values of <see cref="ModelOptions.CpuVariant"/>; any other value names a variant.</summary>
public static class CpuVariantNames
{
    public const string Auto = "auto";
    public const string Packaged = "packaged";
}
