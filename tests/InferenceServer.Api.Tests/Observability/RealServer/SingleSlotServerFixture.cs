namespace InferenceServer.Api.Tests.Observability.RealServer;

/// <summary>A real server process with one sequence slot (Engine:MaxSequences=1), so concurrent requests queue.</summary>
public sealed class SingleSlotServerFixture : IAsyncLifetime
{
    private ServerProcess? _server;

    public ServerProcess Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public async Task InitializeAsync() => _server = await ServerProcess.StartAsync(new Dictionary<string, string>
    {
        ["Engine__MaxSequences"] = "1",
        ["Engine__QueueCapacity"] = "16",
    });

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
