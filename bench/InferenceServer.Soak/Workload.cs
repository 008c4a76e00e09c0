using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace InferenceServer.Soak;

internal enum RequestKind
{
    Stream,
    Chat,
    Completion,
    Aborted,
    Invalid,
}

/// <summary>One request's outcome. <paramref name="Unexpected"/>: a status other than the kind expects (or a broken
/// stream, or a 4xx without the OpenAI error object).</summary>
internal readonly record struct Outcome(RequestKind Kind, int Status, bool Unexpected, double? LatencyMs, double? TtftMs, string? Note);

/// <summary>The mixed requests of one soak client: streaming, non-streaming, aborted mid-stream and invalid.</summary>
internal sealed class Workload(HttpClient http, string model, Random random)
{
    private static readonly string[] Questions =
    [
        "What is 37 + 48?", "Compute 91 - 17.", "Reverse the word \"garden\".", "Convert \"camera\" to uppercase.",
        "How many letters are in the word \"elephant\"?", "Anna lives in Oslo. Ben has a pet dog. Where does Anna live?",
    ];

    private string[] InvalidBodies => [
        "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}",
        "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":\"hot\"}",
        "{\"model\":\"no-such-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":100}",
        "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}",
        "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":1e300}",
        "{\"model\":\"" + model + "\",\"messages\":[]}",
    ];

    public RequestKind Pick() => random.Next(100) switch
    {
        < 40 => RequestKind.Stream,
        < 62 => RequestKind.Chat,
        < 70 => RequestKind.Completion,
        < 85 => RequestKind.Aborted,
        _ => RequestKind.Invalid,
    };

    public async Task<Outcome> RunAsync(RequestKind kind, CancellationToken stop)
    {
        try
        {
            return kind switch
            {
                RequestKind.Stream => await StreamAsync(abortAfterMs: null, stop),
                RequestKind.Aborted => await StreamAsync(abortAfterMs: random.Next(0, 150), stop),
                RequestKind.Chat => await PlainAsync("/v1/chat/completions", ChatBody(stream: false), kind, stop),
                RequestKind.Completion => await PlainAsync("/v1/completions", "{\"model\":\"" + model + "\",\"prompt\":\"37 + 48 =\",\"max_tokens\":" + random.Next(4, 24) + "}", kind, stop),
                _ => await InvalidAsync(stop),
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is TaskCanceledException && !stop.IsCancellationRequested))
        {
            return new Outcome(kind, 0, true, null, null, ex.GetType().Name + ": " + ex.Message);
        }
    }

    private string ChatBody(bool stream) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["model"] = model,
        ["messages"] = new[] { new Dictionary<string, string> { ["role"] = "user", ["content"] = Questions[random.Next(Questions.Length)] } },
        ["temperature"] = random.Next(2) == 0 ? 0 : 0.8,
        ["max_tokens"] = random.Next(8, 48),
        ["stream"] = stream,
    });

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private async Task<Outcome> PlainAsync(string path, string body, RequestKind kind, CancellationToken stop)
    {
        var watch = Stopwatch.StartNew();
        using var response = await http.PostAsync(path, Json(body), stop);
        await response.Content.ReadAsStringAsync(stop);
        var status = (int)response.StatusCode;
        return new Outcome(kind, status, status != 200, watch.Elapsed.TotalMilliseconds, null, null);
    }

    private async Task<Outcome> StreamAsync(int? abortAfterMs, CancellationToken stop)
    {
        var kind = abortAfterMs is null ? RequestKind.Stream : RequestKind.Aborted;
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var watch = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(ChatBody(stream: true)) };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, abort.Token);
        var status = (int)response.StatusCode;
        if (status != 200)
        {
            return new Outcome(kind, status, true, null, null, await response.Content.ReadAsStringAsync(stop));
        }

        if (abortAfterMs is { } after)
        {
            abort.CancelAfter(after);
        }

        double? ttft = null;
        var text = new StringBuilder();
        try
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(abort.Token));
            while (await reader.ReadLineAsync(abort.Token) is { } line)
            {
                if (ttft is null && line.Contains("\"content\":\"", StringComparison.Ordinal))
                {
                    ttft = watch.Elapsed.TotalMilliseconds;
                }

                text.AppendLine(line);
            }
        }
        catch (OperationCanceledException) when (abortAfterMs is not null && !stop.IsCancellationRequested)
        {
            return new Outcome(kind, status, false, null, ttft, "aborted");
        }

        var body = text.ToString();
        var broken = body.Contains("\"error\"", StringComparison.Ordinal) || !body.TrimEnd().EndsWith("data: [DONE]", StringComparison.Ordinal);
        return new Outcome(kind, status, broken, watch.Elapsed.TotalMilliseconds, ttft, broken ? body[^Math.Min(300, body.Length)..] : null);
    }

    private async Task<Outcome> InvalidAsync(CancellationToken stop)
    {
        var watch = Stopwatch.StartNew();
        HttpResponseMessage response;
        if (random.Next(5) == 0)
        {
            // No Content-Type at all: refused before any work.
            response = await http.PostAsync("/v1/chat/completions", new ByteArrayContent(Encoding.UTF8.GetBytes(ChatBody(false))), stop);
        }
        else
        {
            var bodies = InvalidBodies;
            response = await http.PostAsync("/v1/chat/completions", Json(bodies[random.Next(bodies.Length)]), stop);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(stop);
            var shaped = status is >= 400 and < 500 && IsOpenAiError(text);
            return new Outcome(RequestKind.Invalid, status, !shaped, watch.Elapsed.TotalMilliseconds, null, shaped ? null : text);
        }
    }

    private static bool IsOpenAiError(string text)
    {
        try
        {
            var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
            return error.GetProperty("message").ValueKind == JsonValueKind.String && error.TryGetProperty("code", out _) && error.TryGetProperty("param", out _);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>A huge prompt with Expect: 100-continue (as curl sends it): status and milliseconds to the answer.</summary>
    public static async Task<(int Status, double Ms)> HugePromptAsync(HttpClient http, string model, int bytes)
    {
        var body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('a', bytes) + "\"}]}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(body) };
        request.Headers.ExpectContinue = true;
        var watch = Stopwatch.StartNew();
        using var response = await http.SendAsync(request);
        await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, watch.Elapsed.TotalMilliseconds);
    }
}
