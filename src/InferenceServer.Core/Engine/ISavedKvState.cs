namespace InferenceServer.Core.Engine;

/// <summary>
/// A sequence's KV cells serialized by the backend that made it (<see cref="IModelBackend.SaveSequenceState"/>), in
/// memory of the backend's choosing. The prefix cache's host tier owns it from then on and disposes it when it drops
/// the entry; only that backend's <see cref="IModelBackend.RestoreSequenceState"/> reads it.
/// </summary>
public interface ISavedKvState : IDisposable
{
    /// <summary>Memory the state holds, which the host tier's budget counts.</summary>
    long Bytes { get; }
}
