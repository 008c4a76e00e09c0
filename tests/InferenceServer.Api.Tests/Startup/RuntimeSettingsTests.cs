using System.Text.Json;

namespace InferenceServer.Api.Tests.Startup;

/// <summary>
/// The .NET runtime settings the server ships with (its runtimeconfig.json, used by <c>dotnet run</c>, the published
/// server and the Docker image), which keep the runtime's own threads off the cores llama.cpp computes on
/// (docs/performance.md, "Threads beside llama.cpp's").
/// </summary>
public sealed class RuntimeSettingsTests
{
    private static JsonElement ConfigProperties()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "InferenceServer.Api.runtimeconfig.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }

    [Fact]
    public void Idle_thread_pool_workers_block_instead_of_spinning()
    {
        Assert.Equal(0, ConfigProperties().GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32());
    }
}
