using System.Runtime.InteropServices;

namespace InferenceServer.Training.Native;

internal static partial class GgufArrays
{
    [LibraryImport(GgmlLibraryResolver.GgmlBase)] internal static partial nuint gguf_get_arr_n(nint ctx, long keyId);
}
