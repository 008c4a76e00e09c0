using InferenceServer.Api.Endpoints;
using InferenceServer.Api.Errors;
using InferenceServer.Api.Http;
using InferenceServer.Api.Templates;
using InferenceServer.Core.Diagnostics;
using InferenceServer.Core.Options;
using InferenceServer.OpenAI.Ids;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace InferenceServer.Api.Composition;

/// <summary>AddX/UseX/MapX for the OpenAI-compatible HTTP surface.</summary>
public static class ApiServiceCollectionExtensions
{
    /// <summary>Handlers, error handling, ids, time, prompt templates. Expects an <c>IInferenceEngine</c> from
    /// AddInferenceEngine (or a test double).</summary>
    public static IServiceCollection AddInferenceServerApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IIdGenerator, RandomIdGenerator>();
        services.TryAddSingleton<IRequestMetrics, NullRequestMetrics>();
        if (!services.Any(d => d.ServiceType == typeof(IConfigureOptions<ModelOptions>)))
        {
            services.AddOptions<ModelOptions>().Bind(configuration.GetSection(ModelOptions.SectionName));
        }

        if (!services.Any(d => d.ServiceType == typeof(IConfigureOptions<EngineOptions>)))
        {
            services.AddOptions<EngineOptions>().Bind(configuration.GetSection(EngineOptions.SectionName));
        }

        services.AddPromptTemplates(configuration);
        services.AddSingleton<ServedModel>();
        services.AddSingleton<ChatPromptBuilder>();
        services.AddSingleton<ChatCompletionsHandler>();
        services.AddSingleton<CompletionsHandler>();
        services.AddExceptionHandler<OpenAiExceptionHandler>();
        return services;
    }

    /// <summary>x-request-id, OpenAI-shaped errors for exceptions and for body-less 404/405.</summary>
    public static IApplicationBuilder UseInferenceServerApi(this IApplicationBuilder app)
    {
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Only reached if no IExceptionHandler handled the exception.
            ExceptionHandler = context => ErrorWriter.WriteAsync(context, OpenAI.Mapping.ErrorMapper.Internal()),
        });
        app.UseStatusCodePages(StatusCodeErrors.WriteAsync);
        return app;
    }

    public static IEndpointRouteBuilder MapOpenAiEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapChatCompletions();
        app.MapCompletions();
        app.MapModels();
        app.MapTokenize();
        app.MapPromptTemplates();
        app.MapApplyTemplate();
        app.MapProps();
        return app;
    }
}
