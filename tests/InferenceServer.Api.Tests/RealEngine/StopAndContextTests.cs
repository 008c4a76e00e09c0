using System.Net;
using System.Text.Json;
using InferenceServer.TestKit;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests.RealEngine;

/// <summary>
/// Stop strings matched on text, across token boundaries and inside the multi-byte (byte-token) emoji, identical for
/// streaming and non-streaming; exact CJK/emoji output; context-length errors before any generation.
/// Script: "Hello 世界 🌍! The end." (🌍 is three byte tokens).
/// </summary>
[Collection(RealEngineCollection.Name)]
public sealed class StopAndContextTests(RealEngineFactory factory)
{
    private static string Body(string extra) => RealHttp.ChatBody(RealEngineFactory.ModelId, "Say your line.", extra);

    [Theory]
    [InlineData("\"lo 世\"", "Hel")] // spans "Hello" and the CJK token
    [InlineData("\"🌍\"", "Hello 世界 ")] // the whole emoji, which arrives as byte tokens
    [InlineData("\"🌍!\"", "Hello 世界 ")] // starts in the byte-token run, ends after it
    [InlineData("\"界 🌍\"", "Hello 世")] // ends in the byte-token run
    [InlineData("[\"zzz\",\"end.\",\"! T\",\"qq\"]", "Hello 世界 🌍")] // four stops: the earliest in the text wins, not the first listed
    [InlineData("[\"The\",\"The end\"]", "Hello 世界 🌍! ")]
    [InlineData("[\"nope\"]", TestModels.ScriptText)] // never matched: the whole script, ended by end-of-generation
    [InlineData("\".\"", "Hello 世界 🌍! The end")] // the very last character
    public async Task Stop_strings_cut_the_output_identically_streamed_and_not(string stop, string expected)
    {
        var client = await factory.ReadyClientAsync();
        var nonStreamed = await RealHttp.ChatAsync(client, Body("\"stop\":" + stop));
        var streamed = await RealHttp.StreamChatAsync(client, Body("\"stop\":" + stop), validUtf8Model: true);

        Assert.Equal(expected, nonStreamed.Text);
        Assert.Equal("stop", nonStreamed.FinishReason);
        Assert.Equal(nonStreamed, streamed);
        Assert.DoesNotContain('\uFFFD', nonStreamed.Text);
    }

    [Fact]
    public async Task Cjk_and_emoji_are_exact_with_no_replacement_characters()
    {
        var client = await factory.ReadyClientAsync();
        var streamed = await RealHttp.StreamChatAsync(client, Body("\"max_tokens\":64"), validUtf8Model: true);
        Assert.Equal(TestModels.ScriptText, streamed.Text);
        Assert.Contains("世界", streamed.Text);
        Assert.Contains("🌍", streamed.Text);
        Assert.Equal(TestModels.ScriptText.Length, streamed.Text.Length);
    }

    [Fact]
    public async Task Max_tokens_cutting_anywhere_in_the_script_agrees_streamed_and_not()
    {
        // Every cut point, including the ones inside the emoji's byte tokens: the streamed text equals the
        // non-streamed text and is a prefix of the script (plus one U+FFFD where the cut splits the emoji).
        var client = await factory.ReadyClientAsync();
        var full = await RealHttp.ChatAsync(client, Body("\"max_tokens\":64"));
        Assert.Equal(TestModels.ScriptText, full.Text);
        var total = full.CompletionTokens!.Value;
        Assert.True(total > 5);

        var cutInsideEmoji = 0;
        for (var n = 1; n < total; n++)
        {
            var nonStreamed = await RealHttp.ChatAsync(client, Body($"\"max_tokens\":{n}"));
            var streamed = await RealHttp.StreamChatAsync(client, Body($"\"max_tokens\":{n}"));
            cutInsideEmoji += nonStreamed.Text.EndsWith('\uFFFD') ? 1 : 0;
            Assert.True(nonStreamed == streamed, $"max_tokens {n}: non-streamed {nonStreamed}, streamed {streamed}");
            Assert.Equal("length", nonStreamed.FinishReason);
            Assert.Equal(n, nonStreamed.CompletionTokens);
            // A cut inside the emoji's byte tokens ends in exactly one U+FFFD for the incomplete bytes (both ways).
            var text = nonStreamed.Text.EndsWith('\uFFFD') ? nonStreamed.Text[..^1] : nonStreamed.Text;
            Assert.DoesNotContain('\uFFFD', text);
            Assert.StartsWith(text, TestModels.ScriptText, StringComparison.Ordinal);
        }

        Assert.Equal(2, cutInsideEmoji); // 🌍 is three byte tokens: two cut points fall inside it
    }

    private static readonly string Huge = string.Join(" ", Enumerable.Repeat("word", 3000));

    [Theory]
    [InlineData("/v1/chat/completions", false)]
    [InlineData("/v1/chat/completions", true)]
    [InlineData("/v1/completions", false)]
    [InlineData("/v1/completions", true)]
    public async Task Prompt_longer_than_the_context_is_400_context_length_exceeded(string path, bool stream)
    {
        var client = await factory.ReadyClientAsync();
        var body = path.EndsWith("chat/completions", StringComparison.Ordinal)
            ? RealHttp.ChatBody(RealEngineFactory.ModelId, Huge, $"\"stream\":{(stream ? "true" : "false")}")
            : "{\"model\":\"scripted\",\"prompt\":" + JsonSerializer.Serialize(Huge) + $",\"stream\":{(stream ? "true" : "false")}}}";
        var (status, error, response) = await PostJsonAsync(client, path, body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/json", ContentType(response)?.MediaType);
        Assert.Equal("context_length_exceeded", error.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("error").GetProperty("type").GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Prompt_plus_max_tokens_beyond_the_context_is_400(bool stream)
    {
        var client = await factory.ReadyClientAsync();
        var contextSize = factory.Engine.Model.ContextSize;
        var (status, error, _) = await PostJsonAsync(client, "/v1/chat/completions", Body($"\"max_tokens\":{contextSize - 2},\"stream\":{(stream ? "true" : "false")}"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("context_length_exceeded", error.GetProperty("error").GetProperty("code").GetString());

        // Control: the same prompt with a max_tokens that fits is accepted.
        var ok = await client.PostAsync("/v1/chat/completions", Json(Body($"\"max_tokens\":16,\"stream\":{(stream ? "true" : "false")}")));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        await ok.Content.ReadAsStringAsync();
    }
}
