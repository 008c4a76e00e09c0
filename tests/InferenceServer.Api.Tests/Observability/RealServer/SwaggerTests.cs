using System.Net;
using System.Text.Json;

namespace InferenceServer.Api.Tests.Observability.RealServer;

/// <summary>Issue 3: the real server's OpenAPI document lists every endpoint, with request and response schemas
/// for the POST endpoints, and the Swagger UI is served.</summary>
public sealed class SwaggerTests(SharedServerFixture fixture) : IClassFixture<SharedServerFixture>
{
    public static TheoryData<string, string> Endpoints => new()
    {
        { "post", "/v1/chat/completions" },
        { "post", "/v1/completions" },
        { "get", "/v1/models" },
        { "get", "/v1/models/{id}" },
        { "post", "/tokenize" },
        { "post", "/detokenize" },
        { "get", "/health" },
        { "get", "/health/live" },
        { "get", "/health/ready" },
        { "get", "/v1/prompt_templates" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Document_lists_the_endpoint_with_a_success_response(string method, string path)
    {
        using var doc = await DocumentAsync();
        var paths = doc.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty(path, out var item), $"{path} missing; paths: {string.Join(", ", paths.EnumerateObject().Select(p => p.Name))}");
        Assert.True(item.TryGetProperty(method, out var operation), $"{method.ToUpperInvariant()} {path} missing");
        Assert.True(operation.GetProperty("responses").TryGetProperty("200", out _), $"{path} has no 200 response");
    }

    [Theory]
    [InlineData("/v1/chat/completions")]
    [InlineData("/v1/completions")]
    [InlineData("/tokenize")]
    [InlineData("/detokenize")]
    public async Task Post_endpoints_have_json_request_and_response_schemas(string path)
    {
        using var doc = await DocumentAsync();
        var operation = doc.RootElement.GetProperty("paths").GetProperty(path).GetProperty("post");
        Assert.True(operation.TryGetProperty("requestBody", out var body), $"POST {path} has no requestBody");
        AssertSchemaRef(doc, body.GetProperty("content").GetProperty("application/json"), path + " request");
        var ok = operation.GetProperty("responses").GetProperty("200");
        Assert.True(ok.TryGetProperty("content", out var content), $"POST {path} 200 has no content");
        AssertSchemaRef(doc, content.GetProperty("application/json"), path + " response");
    }

    /// <summary>The schemas use the wire names (snake_case, as the OpenAI JSON context writes them).</summary>
    [Fact]
    public async Task Schemas_use_the_snake_case_wire_names()
    {
        using var doc = await DocumentAsync();
        var schemas = doc.RootElement.GetProperty("components").GetProperty("schemas");
        var request = schemas.GetProperty("ChatCompletionRequest").GetProperty("properties");
        Assert.True(request.TryGetProperty("max_tokens", out _), "ChatCompletionRequest: " + string.Join(", ", request.EnumerateObject().Select(p => p.Name)));
        Assert.True(request.TryGetProperty("ignore_eos", out _));
        var usage = schemas.GetProperty("UsageDto").GetProperty("properties");
        Assert.True(usage.TryGetProperty("prompt_tokens", out _), "UsageDto: " + string.Join(", ", usage.EnumerateObject().Select(p => p.Name)));
    }

    [Fact]
    public async Task Swagger_ui_is_served()
    {
        using var response = await fixture.Server.Client.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("swagger-ui", html, StringComparison.Ordinal);
    }

    private async Task<JsonDocument> DocumentAsync()
    {
        using var response = await fixture.Server.Client.GetAsync("/swagger/v1/swagger.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>The media type's schema is a $ref to a component schema that has properties.</summary>
    private static void AssertSchemaRef(JsonDocument doc, JsonElement mediaType, string what)
    {
        var schema = mediaType.GetProperty("schema");
        Assert.True(schema.TryGetProperty("$ref", out var reference), $"{what}: schema is not a component reference: {schema}");
        var name = reference.GetString()!.Split('/')[^1];
        var component = doc.RootElement.GetProperty("components").GetProperty("schemas").GetProperty(name);
        Assert.True(component.TryGetProperty("properties", out var properties) && properties.EnumerateObject().Any(),
            $"{what}: component {name} has no properties");
    }
}
