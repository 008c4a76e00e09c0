using InferenceServer.Core.Embeddings;
using InferenceServer.Core.Engine;
using InferenceServer.Core.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace InferenceServer.Core;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates (at startup) the "Model" and "Engine" sections, registers <see cref="InferenceEngine"/> as
    /// the singleton <see cref="IInferenceEngine"/> and the hosted service that loads the model. An
    /// <see cref="IModelBackendFactory"/> must be registered separately (the LlamaSharp project does it), and an
    /// <see cref="IEmbeddingBackendFactory"/> for /v1/embeddings (the "Embeddings" section, <see cref="EmbeddingService"/>).
    /// </summary>
    public static IServiceCollection AddInferenceEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ModelOptions>().Bind(configuration.GetSection(ModelOptions.SectionName)).ValidateOnStart();
        services.AddOptions<EngineOptions>().Bind(configuration.GetSection(EngineOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModelOptions>, ModelOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EngineOptions>, EngineOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<InferenceEngine>();
        services.TryAddSingleton<IInferenceEngine>(sp => sp.GetRequiredService<InferenceEngine>());
        services.AddOptions<EmbeddingOptions>().Bind(configuration.GetSection(EmbeddingOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EmbeddingOptions>, EmbeddingOptionsValidator>());
        services.TryAddSingleton<EmbeddingService>();
        services.AddHostedService<EngineHostedService>();
        return services;
    }
}
