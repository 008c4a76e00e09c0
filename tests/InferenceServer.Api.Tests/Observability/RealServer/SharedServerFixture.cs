namespace InferenceServer.Api.Tests.Observability.RealServer;

/// <summary>One real server process shared by the tests of a class (default settings).</summary>
public sealed class SharedServerFixture : IAsyncLifetime
{
    private ServerProcess? _server;

    public ServerProcess Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public async Task InitializeAsync() => _server = await ServerProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
