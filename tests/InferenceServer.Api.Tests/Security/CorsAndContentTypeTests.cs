using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using InferenceServer.Api.Tests.Infrastructure;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests.Security;

public sealed class CorsAndContentTypeTests : IDisposable
{
    private const string Origin = "https://chat.example.com";
    private const string ChatBody = "{\"model\":\"tiny-test\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private readonly ApiFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private static HttpRequestMessage Preflight(string origin, string headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/v1/chat/completions");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }

    [Fact]
    public async Task A_listed_origin_gets_a_preflight_answer_with_the_headers_a_streaming_client_sends()
    {
        await using var app = SecuredApi.WithKeys(_factory, new Dictionary<string, string?> { ["Security:CorsOrigins:0"] = Origin });
        using var client = app.CreateClient();

        using var preflight = await client.SendAsync(Preflight(Origin, "authorization,content-type,accept,x-stainless-os"));
        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal(Origin, preflight.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var allowed = string.Join(',', preflight.Headers.GetValues("Access-Control-Allow-Headers")).ToLowerInvariant();
        foreach (var header in new[] { "authorization", "content-type", "accept", "x-stainless-os" })
        {
            Assert.Contains(header, allowed);
        }

        Assert.Contains("POST", string.Join(',', preflight.Headers.GetValues("Access-Control-Allow-Methods")));

        // The actual request, and its errors (401 here), carry the CORS headers so the page can read them.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(ChatBody) };
        request.Headers.Add("Origin", Origin);
        using var refused = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(Origin, refused.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Retry-After", string.Join(',', refused.Headers.GetValues("Access-Control-Expose-Headers")));
    }

    [Fact]
    public async Task Other_origins_and_the_default_configuration_get_no_cors_headers()
    {
        await using var app = SecuredApi.Create(_factory, new Dictionary<string, string?> { ["Security:CorsOrigins:0"] = Origin });
        using var client = app.CreateClient();
        using var foreign = await client.SendAsync(Preflight("https://evil.example", "content-type"));
        Assert.False(foreign.Headers.Contains("Access-Control-Allow-Origin"));

        using var plain = _factory.CreateClient();
        using var byDefault = await plain.SendAsync(Preflight(Origin, "content-type"));
        Assert.False(byDefault.Headers.Contains("Access-Control-Allow-Origin"));
    }

    /// <summary>Finding 7: a POST with no Content-Type (or a form/text one, which browsers send cross-origin without
    /// a preflight) was accepted and ran a generation.</summary>
    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task A_post_that_is_not_json_is_refused_with_415_before_any_work(string? contentType)
    {
        using var client = _factory.CreateClient();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(ChatBody));
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        foreach (var path in new[] { "/v1/chat/completions", "/v1/completions", "/tokenize", "/detokenize" })
        {
            using var response = await client.PostAsync(path, content);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.UnsupportedMediaType, $"{path}: {(int)response.StatusCode} {text}");
            AssertError(JsonDocument.Parse(text).RootElement, "invalid_request_error", null, "unsupported_media_type");
        }

        Assert.Empty(_factory.Engine.Requests);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("Application/JSON")]
    public async Task Json_content_types_are_accepted(string contentType)
    {
        using var client = _factory.CreateClient();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(ChatBody));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await client.PostAsync("/v1/chat/completions", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
