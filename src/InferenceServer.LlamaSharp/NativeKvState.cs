using System.Runtime.InteropServices;
using InferenceServer.Core.Engine;

namespace InferenceServer.LlamaSharp;

/// <summary>
/// A sequence's serialized KV state in native memory, freed when the prefix cache's host tier drops it. States are
/// megabytes (32 KiB per token for a 0.85B model), written once into fresh memory, and each fresh page faults on its
/// first write, taken from every running stream's step. On Linux a state of <see cref="HugePageBytes"/> or more may get
/// whole 2 MiB-aligned blocks advised for transparent huge pages (one fault per 2 MiB; where the kernel has no huge
/// page free it falls back to small pages). Which is cheaper depends on the machine (measured on two VMs: 9-12 against
/// 2.7-4.9 ms per 3.4 MB on one, 1.8 against 11 ms on the other), so <see cref="StatePagePolicy"/> chooses by measuring.
/// </summary>
internal sealed unsafe partial class NativeKvState : ISavedKvState
{
    /// <summary>An x86-64 / arm64 transparent huge page.</summary>
    internal const long HugePageBytes = 2L << 20;

    private const int MadviseHugePage = 14; // MADV_HUGEPAGE
    private const nuint SmallAlignment = 64;

    private byte* _data;

    private NativeKvState(byte* data, long capacity)
    {
        _data = data;
        Capacity = capacity;
        Length = capacity;
    }

    /// <summary>Bytes allocated (a multiple of <see cref="HugePageBytes"/> from that size on).</summary>
    public long Capacity { get; }

    /// <summary>Bytes of state written.</summary>
    public long Length { get; private set; }

    public long Bytes => Capacity;

    /// <summary>Whether the block was advised for huge pages (Linux, <see cref="HugePageBytes"/> or more).</summary>
    public bool HugePagesAdvised { get; private init; }

    public byte* Data => _data != null ? _data : throw new ObjectDisposedException(nameof(NativeKvState));

    /// <summary>Uninitialized memory for a state of <paramref name="length"/> bytes; with <paramref name="hugePages"/>
    /// (honoured from <see cref="HugePageBytes"/> on), whole blocks advised for huge pages.</summary>
    public static NativeKvState Allocate(long length, bool hugePages = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        bool huge = hugePages && length >= HugePageBytes;
        long capacity = huge ? (length + HugePageBytes - 1) / HugePageBytes * HugePageBytes : length;
        var data = (byte*)NativeMemory.AlignedAlloc((nuint)capacity, huge ? (nuint)HugePageBytes : SmallAlignment);
        bool advised = huge && OperatingSystem.IsLinux() && AdviseHugePages(data, capacity);
        return new NativeKvState(data, capacity) { HugePagesAdvised = advised };
    }

    /// <summary>Records how many bytes were written (at most the capacity).</summary>
    public void SetLength(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Capacity);
        Length = length;
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    ~NativeKvState() => Free();

    private void Free()
    {
        if (_data != null)
        {
            NativeMemory.AlignedFree(_data);
            _data = null;
        }
    }

    /// <summary>Best effort: without glibc (or with huge pages off) the block keeps small pages.</summary>
    private static bool AdviseHugePages(byte* data, long capacity)
    {
        try
        {
            return Madvise(data, (nuint)capacity, MadviseHugePage) == 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "madvise")]
    private static partial int Madvise(void* address, nuint length, int advice);
}
