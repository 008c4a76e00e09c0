using System.Runtime.InteropServices;

namespace InferenceServer.Training.Native;

internal static partial class GgmlViews
{
    [LibraryImport(GgmlLibraryResolver.GgmlBase)] internal static partial nint ggml_view_1d(nint ctx, nint a, long ne0, nuint offset);
}
