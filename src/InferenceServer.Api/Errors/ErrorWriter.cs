using System.Globalization;
using System.Text.Json;
using InferenceServer.OpenAI.Json;
using InferenceServer.OpenAI.Mapping;

namespace InferenceServer.Api.Errors;

/// <summary>Writes a <see cref="WireError"/> as a plain JSON response (before any byte of the body went out).</summary>
internal static class ErrorWriter
{
    public static async Task WriteAsync(HttpContext context, WireError error)
    {
        var response = context.Response;
        response.StatusCode = error.StatusCode;
        response.ContentType = "application/json";
        if (error.RetryAfterSeconds is { } retry)
        {
            response.Headers.RetryAfter = retry.ToString(CultureInfo.InvariantCulture);
        }

        if (error.ShouldRetry is { } shouldRetry)
        {
            response.Headers["x-should-retry"] = shouldRetry ? "true" : "false";
        }

        await JsonSerializer.SerializeAsync(response.Body, error.Body, OpenAiJsonContext.Default.ErrorResponse, CancellationToken.None);
    }
}
