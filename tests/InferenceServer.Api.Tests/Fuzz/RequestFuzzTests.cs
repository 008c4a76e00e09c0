using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CsCheck;
using InferenceServer.Api.Tests.Observability.RealServer;
using Xunit.Abstractions;

namespace InferenceServer.Api.Tests.Fuzz;

/// <summary>
/// Property: whatever a client sends, the real server (Kestrel, real LLamaSharp engine on the tiny model) never
/// answers 5xx, every 4xx carries the OpenAI error object, and a stream never reports a server error. 5,000 mutated
/// requests from <see cref="RequestGenerators"/>, four at a time; CsCheck shrinks a failure to a small case.
/// </summary>
public sealed class RequestFuzzTests(SharedServerFixture fixture, ITestOutputHelper output) : IClassFixture<SharedServerFixture>
{
    private const int Requests = 5_000;

    [Fact]
    public async Task Five_thousand_mutated_requests_get_no_5xx_and_an_openai_error_on_every_4xx()
    {
        var server = fixture.Server;
        var statuses = new ConcurrentDictionary<int, int>();
        var sent = 0;
        await RequestGenerators.Cases.SampleAsync(async fuzz =>
        {
            Interlocked.Increment(ref sent);
            var status = await SendAndCheckAsync(server.Client, fuzz);
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
        }, iter: Requests, threads: 4, seed: Environment.GetEnvironmentVariable("FUZZ_SEED"));

        output.WriteLine($"{sent} requests; statuses: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} x{s.Value}"))}");
        Assert.True(sent >= Requests);
        Assert.DoesNotContain(statuses.Keys, s => s >= 500);
        Assert.False(server.HasExited);
        Assert.True(statuses.Keys.Count(s => s is >= 400 and < 500) >= 3, "the mutations reach several kinds of refusal");
        Assert.Contains(200, statuses.Keys);
    }

    private static async Task<int> SendAndCheckAsync(HttpClient client, FuzzCase fuzz)
    {
        using var request = new HttpRequestMessage(new HttpMethod(fuzz.Method), fuzz.Path);
        if (fuzz.Body is not null)
        {
            request.Content = new ByteArrayContent(fuzz.Body);
            request.Content.Headers.ContentType = null;
            if (fuzz.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", fuzz.ContentType);
            }
        }

        if (fuzz.Authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", fuzz.Authorization);
        }

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        if (status >= 500)
        {
            throw new InvalidOperationException($"{status} for {fuzz}: {text}");
        }

        if (status >= 400 && fuzz.Method != "HEAD")
        {
            CheckOpenAiError(status, text, fuzz);
        }

        if (status == 200 && response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            if (text.Contains("\"server_error\"", StringComparison.Ordinal) || !text.EndsWith("data: [DONE]\n\n", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Broken stream for {fuzz}: {text[^Math.Min(400, text.Length)..]}");
            }
        }

        return status;
    }

    private static void CheckOpenAiError(int status, string text, FuzzCase fuzz)
    {
        try
        {
            var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
            if (error.GetProperty("message").ValueKind != JsonValueKind.String
                || error.GetProperty("type").ValueKind != JsonValueKind.String
                || error.GetProperty("param").ValueKind is not (JsonValueKind.String or JsonValueKind.Null)
                || error.GetProperty("code").ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            {
                throw new InvalidOperationException("wrong member types");
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidOperationException($"{status} without the OpenAI error object ({ex.Message}) for {fuzz}: {text}");
        }
    }
}
