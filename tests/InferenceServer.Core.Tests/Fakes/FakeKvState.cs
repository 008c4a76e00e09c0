using InferenceServer.Core.Engine;

namespace InferenceServer.Core.Tests.Fakes;

/// <summary>A saved state of the fake backend: its cell count, a size, and a check that it is disposed once.</summary>
public sealed class FakeKvState(int cells, long bytes, Action? onDispose = null) : ISavedKvState
{
    public int Cells { get; } = cells;

    public long Bytes { get; } = bytes;

    public bool Disposed { get; private set; }

    public void Dispose()
    {
        if (Disposed)
        {
            throw new ObjectDisposedException(nameof(FakeKvState), "A saved state was disposed twice.");
        }

        Disposed = true;
        onDispose?.Invoke();
    }
}
