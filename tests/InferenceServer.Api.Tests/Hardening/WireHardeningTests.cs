using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using InferenceServer.Api.Tests.Observability.RealServer;
using Xunit.Abstractions;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests.Hardening;

/// <summary>The real server process with Information logs in the text format (where a raw newline forges a line).</summary>
public sealed class InformationLogServerFixture : ServerProcessFixture
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Serilog__MinimumLevel__Default"] = "Information",
        ["Logging__Format"] = "text",
    };
}

/// <summary>Findings 1, 3 and 4 on the real server (Kestrel, real engine, real logs).</summary>
public sealed class WireHardeningTests(InformationLogServerFixture fixture, ITestOutputHelper output) : IClassFixture<InformationLogServerFixture>
{
    private ServerProcess Server => fixture.Server;

    private async Task<string> RawAsync(byte[] request)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(Server.BaseAddress.Host, Server.BaseAddress.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(request);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, timeout.Token)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (Encoding.ASCII.GetString(buffer.ToArray()).Contains("\r\n0\r\n\r\n", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }
        catch (IOException)
        {
            // The server may close the connection after answering.
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Finding 4: an overflowing chunk-size field was a 500 with a logged stack trace.</summary>
    [Fact]
    public async Task A_malformed_chunked_body_is_a_400_with_the_openai_error()
    {
        var head = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        var answer = await RawAsync(Encoding.ASCII.GetBytes(head + "ffffffffffffffffffff\r\n{}\r\n0\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 400", answer, StringComparison.Ordinal);
        var json = answer[answer.IndexOf('{', StringComparison.Ordinal)..answer.LastIndexOf('}')] + "}";
        AssertError(JsonDocument.Parse(json).RootElement, "invalid_request_error", null, "invalid_body");
        Assert.DoesNotContain("Unhandled exception", Server.OutputTail, StringComparison.Ordinal);
    }

    /// <summary>Finding 3: client strings (model, role) went into the text log raw, so a newline forged a log line.</summary>
    [Fact]
    public async Task Control_characters_in_client_strings_are_escaped_in_the_log()
    {
        const string Forged = "[12:00:00.000 ERR] Forged: admin password reset";
        var body = "{\"model\":" + JsonSerializer.Serialize("nope\n" + Forged) + ",\"messages\":[{\"role\":" + JsonSerializer.Serialize("user\r\n" + Forged) + ",\"content\":\"hi\"}]}";
        var (status, _, _) = await PostJsonAsync(Server.Client, "/v1/chat/completions", body);
        Assert.Equal(HttpStatusCode.BadRequest, status); // the role is checked first
        body = "{\"model\":" + JsonSerializer.Serialize("nope\n" + Forged) + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        (status, _, _) = await PostJsonAsync(Server.Client, "/v1/chat/completions", body);
        Assert.Equal(HttpStatusCode.NotFound, status);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Server.OutputTail.Split('\n').Count(l => l.Contains("Forged", StringComparison.Ordinal)) < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var lines = Server.OutputTail.Split('\n');
        Assert.DoesNotContain(lines, l => l.StartsWith(Forged, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("nope\\n" + Forged, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("user\\r\\n" + Forged, StringComparison.Ordinal));
    }

    /// <summary>Finding 1 on the wire: a 20 MB prompt is refused at once (the limit is checked on Content-Length,
    /// before the body is read), and a 3 MB one under the limit is refused by the size bound, not tokenized.</summary>
    [Fact]
    public async Task Huge_prompts_are_refused_quickly()
    {
        foreach (var (size, expected) in new[] { (20_000_000, HttpStatusCode.RequestEntityTooLarge), (3_000_000, HttpStatusCode.BadRequest) })
        {
            var body = "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('a', size) + "\"}]}";
            var watch = Stopwatch.StartNew();
            // As curl does for large bodies: the server can answer before the body is sent.
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(body) };
            request.Headers.ExpectContinue = true;
            using var response = await Server.Client.SendAsync(request);
            var status = response.StatusCode;
            var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            output.WriteLine($"{size / 1_000_000} MB prompt: {(int)status} in {watch.ElapsedMilliseconds} ms");
            Assert.Equal(expected, status);
            AssertError(error, "invalid_request_error", expected == HttpStatusCode.BadRequest ? "messages" : null,
                expected == HttpStatusCode.BadRequest ? "context_length_exceeded" : "request_too_large");
        }
    }
}
