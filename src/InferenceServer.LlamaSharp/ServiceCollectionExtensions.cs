using InferenceServer.Core.Embeddings;
using InferenceServer.Core.Engine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace InferenceServer.LlamaSharp;

public static class ServiceCollectionExtensions
{
    /// <summary>Registers <see cref="LlamaSharpBackendFactory"/> as the singleton <see cref="IModelBackendFactory"/>
    /// and <see cref="LlamaSharpEmbedderFactory"/> as the <see cref="IEmbeddingBackendFactory"/>
    /// (needs IOptions&lt;ModelOptions&gt;, IOptions&lt;EngineOptions&gt; and logging from the host).</summary>
    public static IServiceCollection AddLlamaSharpBackend(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions();
        services.TryAddSingleton<IModelBackendFactory, LlamaSharpBackendFactory>();
        services.TryAddSingleton<IEmbeddingBackendFactory, LlamaSharpEmbedderFactory>();
        return services;
    }
}
