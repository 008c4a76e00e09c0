namespace InferenceServer.Core.Engine;

/// <summary>Loads the configured model and builds its context (slow: seconds). Called once, off the request path.
/// Throws <see cref="Errors.InferenceException"/> or <see cref="IOException"/> with a clear message when the file
/// is missing or not a loadable GGUF.</summary>
public interface IModelBackendFactory
{
    IModelBackend Create(CancellationToken cancellationToken);
}
