using System.Runtime.InteropServices;

namespace InferenceServer.Training.Native;

/// <summary>gguf: read the initial weights and metadata, write the trained file.</summary>
internal static unsafe partial class Gguf
{
    private const string Lib = GgmlLibraryResolver.GgmlBase;

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial nint gguf_init_from_file(string path, GgufInitParams p);
    [LibraryImport(Lib)] internal static partial nint gguf_init_empty();
    [LibraryImport(Lib)] internal static partial void gguf_free(nint ctx);
    [LibraryImport(Lib)] internal static partial long gguf_get_n_tensors(nint ctx);
    [LibraryImport(Lib)] internal static partial nint gguf_get_tensor_name(nint ctx, long id);
    [LibraryImport(Lib)] internal static partial int gguf_get_tensor_type(nint ctx, long id);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial long gguf_find_key(nint ctx, string key);
    [LibraryImport(Lib)] internal static partial uint gguf_get_val_u32(nint ctx, long keyId);
    [LibraryImport(Lib)] internal static partial float gguf_get_val_f32(nint ctx, long keyId);
    [LibraryImport(Lib)] internal static partial int gguf_get_kv_type(nint ctx, long keyId);
    [LibraryImport(Lib)] internal static partial void gguf_set_kv(nint dst, nint src);
    [LibraryImport(Lib)] internal static partial void gguf_add_tensor(nint ctx, nint tensor);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool gguf_write_to_file(nint ctx, string path, [MarshalAs(UnmanagedType.U1)] bool onlyMeta);
}
