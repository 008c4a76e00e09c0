namespace InferenceServer.Api.Observability.Shutdown;

/// <summary>Set once when shutdown begins; read by the draining middleware and the readiness check.</summary>
public sealed class DrainState
{
    private int _draining;

    public bool IsDraining => Volatile.Read(ref _draining) == 1;

    /// <summary>Returns true for the call that switched the state.</summary>
    public bool MarkDraining() => Interlocked.Exchange(ref _draining, 1) == 0;
}
