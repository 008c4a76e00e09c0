using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using InferenceServer.TestKit;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests.Tools;

/// <summary>
/// Tool calling end to end on scripted models that write each family's call text: the parser (message.tool_calls),
/// streaming deltas, auto mode (text before the call for Hermes), tool_choice none, and the round trip (assistant
/// tool_calls and a tool result rendered by the model's template, then the answer).
/// </summary>
public abstract class ToolCallingTests<TFactory>(TFactory factory) where TFactory : ToolModelFactory
{
    public const string WeatherTool = """
        {"type":"function","function":{"name":"get_weather","description":"Weather for a city",
         "parameters":{"type":"object","properties":{"city":{"type":"string","maxLength":20}},"required":["city"],"additionalProperties":false}}}
        """;

    private ToolFamily Family => factory.Family;
    private string? ExpectedContent => Family == ToolFamily.Hermes ? ToolCallingModels.HermesPreamble : null;

    [Fact]
    public async Task Auto_mode_returns_the_call_in_message_tool_calls()
    {
        var client = await factory.ReadyClientAsync();

        var (status, body, _) = await PostJsonAsync(client, "/v1/chat/completions", Body("\"tool_choice\":\"auto\""));

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        var choice = body.GetProperty("choices")[0];
        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
        var message = choice.GetProperty("message");
        Assert.Equal(ExpectedContent, message.GetProperty("content").GetString());
        var call = Assert.Single(message.GetProperty("tool_calls").EnumerateArray());
        Assert.StartsWith("call_", call.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("function", call.GetProperty("type").GetString());
        Assert.Equal(ToolCallingModels.Function, call.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal(ToolCallingModels.Arguments, call.GetProperty("function").GetProperty("arguments").GetString());
    }

    [Fact]
    public async Task Streaming_sends_id_and_name_first_then_the_arguments_in_pieces()
    {
        var client = await factory.ReadyClientAsync();
        var response = await client.PostAsync("/v1/chat/completions", Json(Body("\"stream\":true")));
        var sse = (await SseReader.ReadAllAsync(await response.Content.ReadAsStreamAsync())).EnsureWellFormed();

        var content = "";
        var arguments = "";
        string? finish = null;
        var toolDeltas = new List<JsonElement>();
        foreach (var data in sse.Data)
        {
            var choice = JsonDocument.Parse(data).RootElement.GetProperty("choices")[0];
            var delta = choice.GetProperty("delta");
            if (delta.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String)
            {
                content += c.GetString();
            }

            if (delta.TryGetProperty("tool_calls", out var calls))
            {
                var call = Assert.Single(calls.EnumerateArray());
                toolDeltas.Add(call.Clone());
                Assert.Equal(0, call.GetProperty("index").GetInt32());
                arguments += call.GetProperty("function").GetProperty("arguments").GetString();
            }

            if (choice.GetProperty("finish_reason").ValueKind == JsonValueKind.String)
            {
                finish = choice.GetProperty("finish_reason").GetString();
            }
        }

        Assert.Equal("tool_calls", finish);
        Assert.Equal(ExpectedContent ?? "", content);
        Assert.True(toolDeltas.Count >= 3, $"expected the arguments in pieces, got {toolDeltas.Count} tool deltas");
        var first = toolDeltas[0];
        Assert.StartsWith("call_", first.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("function", first.GetProperty("type").GetString());
        Assert.Equal(ToolCallingModels.Function, first.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("", first.GetProperty("function").GetProperty("arguments").GetString());
        Assert.All(toolDeltas.Skip(1), d => Assert.False(d.TryGetProperty("id", out _)));
        Assert.All(toolDeltas.Skip(1), d => Assert.False(d.GetProperty("function").TryGetProperty("name", out _)));
        Assert.Equal(ToolCallingModels.Arguments, arguments);
    }

    [Fact]
    public async Task Tool_choice_none_returns_the_text_as_content()
    {
        var client = await factory.ReadyClientAsync();

        var (status, body, _) = await PostJsonAsync(client, "/v1/chat/completions", Body("\"tool_choice\":\"none\""));

        Assert.Equal(HttpStatusCode.OK, status);
        var choice = body.GetProperty("choices")[0];
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(ToolCallingModels.CallText(Family), choice.GetProperty("message").GetProperty("content").GetString());
        Assert.False(choice.GetProperty("message").TryGetProperty("tool_calls", out _));
    }

    [Fact]
    public async Task Required_and_named_choices_force_a_valid_call()
    {
        var client = await factory.ReadyClientAsync();
        foreach (var choice in new[] { "\"required\"", "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}" })
        {
            var (status, body, _) = await PostJsonAsync(client, "/v1/chat/completions", Body("\"tool_choice\":" + choice + ",\"max_tokens\":300"));

            Assert.True(status == HttpStatusCode.OK, body.ToString());
            Assert.Equal("tool_calls", body.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
            var call = Assert.Single(body.GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls").EnumerateArray());
            Assert.Equal("get_weather", call.GetProperty("function").GetProperty("name").GetString());
            var arguments = JsonNode.Parse(call.GetProperty("function").GetProperty("arguments").GetString()!)!.AsObject();
            Assert.Equal(["city"], arguments.Select(p => p.Key));
            Assert.True(arguments["city"]!.GetValue<string>().Length <= 20);
        }
    }

    [Fact]
    public async Task A_round_trip_renders_the_call_and_the_tool_result_and_gets_the_answer()
    {
        var client = await factory.ReadyClientAsync();
        var messages = """
            [{"role":"user","content":"Weather in Paris?"},
             {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"Paris\"}"}}]},
             {"role":"tool","tool_call_id":"call_1","content":"sunny"}]
            """;

        var (status, body, _) = await PostJsonAsync(client, "/v1/chat/completions",
            "{\"model\":\"" + factory.Settings.ModelId + "\",\"temperature\":0,\"tools\":[" + WeatherTool + "],\"messages\":" + messages + "}");

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        var choice = body.GetProperty("choices")[0];
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(ToolCallingModels.Answer, choice.GetProperty("message").GetProperty("content").GetString());
    }

    private string Body(string extra) =>
        "{\"model\":\"" + factory.Settings.ModelId + "\",\"temperature\":0,\"tools\":[" + WeatherTool + "],\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"}]," + extra + "}";
}

public sealed class HermesToolCallingTests(HermesModelFactory factory) : ToolCallingTests<HermesModelFactory>(factory), IClassFixture<HermesModelFactory>;

public sealed class Llama3ToolCallingTests(Llama3ModelFactory factory) : ToolCallingTests<Llama3ModelFactory>(factory), IClassFixture<Llama3ModelFactory>;

public sealed class MistralToolCallingTests(MistralModelFactory factory) : ToolCallingTests<MistralModelFactory>(factory), IClassFixture<MistralModelFactory>;

public sealed class GenericToolCallingTests(GenericModelFactory factory) : ToolCallingTests<GenericModelFactory>(factory), IClassFixture<GenericModelFactory>;
