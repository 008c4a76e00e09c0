using System.Text.Json;
using System.Text.Unicode;
using System.Text.Json.Serialization.Metadata;
using InferenceServer.Core.Errors;
using InferenceServer.OpenAI.Protocol;
using Microsoft.Extensions.Logging;

namespace InferenceServer.Api.Http;

/// <summary>Reads request bodies with the source-generated context, so every failure becomes an OpenAI-shaped 400.</summary>
internal static class JsonBody
{
    public const string UnparsableMessage =
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)";

    public static async Task<T> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        // The Content-Type was checked before any work (Security/JsonContentTypeMiddleware: 415), and the body's size
        // is capped by Kestrel's MaxRequestBodySize, so reading it whole is bounded.
        T? value;
        try
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            var bytes = body.GetBuffer().AsSpan(0, (int)body.Length);
            if (!Utf8.IsValid(bytes))
            {
                // System.Text.Json checks UTF-8 only where it makes a string: fields kept as raw JSON (tool_choice,
                // schemas) would fail later, when read, as a 500.
                throw InferenceException.Invalid(InvalidUtf8Message, null, "invalid_json");
            }

            value = JsonSerializer.Deserialize(bytes, typeInfo);
        }
        catch (JsonException ex)
        {
            throw Translate(ex);
        }
        catch (IOException ex) when (ex is not BadHttpRequestException && !context.RequestAborted.IsCancellationRequested)
        {
            // Kestrel reports a malformed body framing (e.g. an overflowing chunk size) as a plain IOException: the
            // client's fault, a 400, and the connection cannot be trusted for another request.
            context.Response.Headers.Connection = "close";
            throw InferenceException.Invalid($"The request body could not be read: {ex.Message}", null, "invalid_body");
        }

        return value ?? throw InferenceException.Invalid(UnparsableMessage, null, "invalid_json");
    }

    public const string InvalidUtf8Message =
        "We could not parse the JSON body of your request: it is not valid UTF-8. (HINT: JSON text must be encoded as UTF-8.)";

    /// <summary>Logs (Debug) the request fields this server does not know.</summary>
    public static void LogIgnoredFields(ILogger logger, string endpoint, IHasExtensionData request)
    {
        if (request.ExtensionData is { Count: > 0 } extra && logger.IsEnabled(LogLevel.Debug))
        {
            ApiLog.IgnoredFields(logger, endpoint, string.Join(", ", extra.Keys));
        }
    }

    /// <summary>Type mismatches name the field ("Invalid type for 'temperature'"); syntax errors get OpenAI's
    /// "could not parse" message.</summary>
    internal static InferenceException Translate(JsonException ex)
    {
        var isSyntaxError = ex.InnerException is JsonException || ex.LineNumber is null && ex.Path is null;
        var param = ParamFromPath(ex.Path);
        if (isSyntaxError || param is null)
        {
            return InferenceException.Invalid(UnparsableMessage, null, "invalid_json");
        }

        var detail = ex.Message.StartsWith("Invalid type", StringComparison.Ordinal) ? " " + ex.Message.Split(" Path:", 2)[0].Split(": ", 2).ElementAtOrDefault(1) : "";
        return InferenceException.Invalid($"Invalid type for '{param}'.{detail}".TrimEnd(), param, "invalid_type");
    }

    /// <summary>"$.messages[0].content" to "messages[0].content"; null for the root.</summary>
    internal static string? ParamFromPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return null;
        }

        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }
}
