using InferenceServer.Core.Engine;
using Microsoft.Extensions.DependencyInjection;

namespace InferenceServer.LlamaSharp.Tests;

public sealed class ServiceCollectionExtensionsTests
{
    [Fact]
    public void Registers_the_factory_once_as_a_singleton()
    {
        var services = new ServiceCollection();

        services.AddLlamaSharpBackend();
        services.AddLlamaSharpBackend();

        var descriptor = Assert.Single(services, d => d.ServiceType == typeof(IModelBackendFactory));
        Assert.Equal(ServiceLifetime.Singleton, descriptor.Lifetime);
        Assert.Equal(typeof(LlamaSharpBackendFactory), descriptor.ImplementationType);
    }
}
