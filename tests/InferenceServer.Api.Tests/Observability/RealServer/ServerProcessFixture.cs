namespace InferenceServer.Api.Tests.Observability.RealServer;

/// <summary>One real server process shared by the tests of a class, started with <see cref="Settings"/> (environment
/// variables such as <c>Engine__MaxSequences</c>) on top of the defaults.</summary>
public abstract class ServerProcessFixture : IAsyncLifetime
{
    private ServerProcess? _server;

    public ServerProcess Server => _server ?? throw new InvalidOperationException("The server has not started.");

    protected virtual IReadOnlyDictionary<string, string>? Settings => null;

    public async Task InitializeAsync() => _server = await ServerProcess.StartAsync(Settings);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
