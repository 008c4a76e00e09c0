using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace InferenceServer.Api.Tests.Infrastructure;

internal static class Http
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> PostJsonAsync(HttpClient client, string path, string json)
    {
        var response = await client.PostAsync(path, Json(json));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    /// <summary>Asserts the OpenAI error shape and returns the error object.</summary>
    public static JsonElement AssertError(JsonElement body, string type, string? param, string? code)
    {
        var error = body.GetProperty("error");
        Assert.Equal(["code", "message", "param", "type"], error.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").ValueKind == JsonValueKind.Null ? null : error.GetProperty("param").GetString());
        Assert.Equal(code, error.GetProperty("code").ValueKind == JsonValueKind.Null ? null : error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        return error;
    }

    public static MediaTypeHeaderValue? ContentType(HttpResponseMessage response) => response.Content.Headers.ContentType;
}
