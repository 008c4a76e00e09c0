using System.Text.Json;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace InferenceServer.Api.Observability.Swagger;

/// <summary>Swagger UI at /swagger and the OpenAPI document at /swagger/v1/swagger.json, built from the minimal
/// API endpoints' metadata (WithName, Produces, Accepts).</summary>
public static class SwaggerSetup
{
    public const string DocumentName = "v1";
    public const string DocumentPath = "/swagger/v1/swagger.json";

    public static WebApplicationBuilder AddServerSwagger(this WebApplicationBuilder builder)
    {
        builder.Services.AddEndpointsApiExplorer();
        // The protocol types are written by source-generated contexts with snake_case names; describe those.
        builder.Services.AddSingleton<ISerializerDataContractResolver>(new JsonSerializerDataContractResolver(
            new JsonSerializerOptions(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
        builder.Services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = "InferenceServer",
                Version = DocumentName,
                Description = "OpenAI-compatible LLM inference server (llama.cpp through LLamaSharp). "
                    + "Prometheus metrics at GET /metrics (text exposition, not described here).",
            });
            // Nested and same-named types in different namespaces must not collide.
            options.CustomSchemaIds(SchemaId);
            options.OperationFilter<JsonRequestBodyFilter>();
        });
        return builder;
    }

    public static WebApplication MapServerSwagger(this WebApplication app)
    {
        app.UseSwagger();
        app.UseSwaggerUI(options =>
        {
            options.SwaggerEndpoint(DocumentPath, "InferenceServer " + DocumentName);
            options.DocumentTitle = "InferenceServer API";
        });
        return app;
    }

    internal static string SchemaId(Type type)
    {
        var name = type.IsGenericType
            ? type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)] + "Of" + string.Join("And", type.GetGenericArguments().Select(SchemaId))
            : type.Name;
        return type.DeclaringType is { } outer ? SchemaId(outer) + name : name;
    }
}
