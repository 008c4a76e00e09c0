using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using InferenceServer.Api.Tests.RealEngine;
using InferenceServer.Api.Tests.Structured;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests.Tools;

/// <summary>
/// Forced tool calls on random weights (the ChatML model has no tool support: generic format): for 20 random sets of
/// two tools with random object parameter schemas, tool_choice "required" (with parallel calls) and a named
/// function, at several seeds and temperatures, every call names an offered function (the named one when named)
/// and its arguments validate against that function's schema.
/// </summary>
public sealed class ForcedToolCallPropertyTests(TinyRandomEngineFactory factory) : IClassFixture<TinyRandomEngineFactory>
{
    private static readonly double[] Temperatures = [0, 0.9, 1.5];

    [Fact]
    public async Task Forced_calls_are_always_valid_against_the_tool_schema()
    {
        var client = await factory.ReadyClientAsync();
        var schemas = new RandomSchemas(seed: 77);
        var failures = new ConcurrentBag<string>();
        var calls = 0;
        using var gate = new SemaphoreSlim(3);
        await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            var parameters = new[] { ObjectSchema(schemas), ObjectSchema(schemas) };
            var tools = new JsonArray(parameters.Select((p, t) => (JsonNode)new JsonObject
            {
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = $"tool_{t}", ["parameters"] = p.DeepClone() },
            }).ToArray());
            var named = i % 2 == 1;
            JsonNode choice = named ? new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = "tool_1" } } : "required";
            var body = new JsonObject
            {
                ["model"] = TinyRandomEngineFactory.TinyModelId,
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = $"Call a tool ({i})." }),
                ["tools"] = tools,
                ["tool_choice"] = choice,
                ["temperature"] = Temperatures[i % Temperatures.Length],
                ["seed"] = i,
                ["n"] = 2,
            };
            await gate.WaitAsync();
            try
            {
                var (status, response, _) = await PostJsonAsync(client, "/v1/chat/completions", body.ToJsonString());
                Assert.True(status == HttpStatusCode.OK, response.ToString());
                foreach (var c in response.GetProperty("choices").EnumerateArray())
                {
                    var problem = Check(c, parameters, named);
                    Interlocked.Increment(ref calls);
                    if (problem is not null)
                    {
                        failures.Add($"set {i}: {problem}\n  {c}");
                    }
                }
            }
            finally
            {
                gate.Release();
            }
        }));

        Assert.True(failures.IsEmpty, $"{failures.Count} of {calls} choices failed:\n" + string.Join("\n", failures.Take(5)));
    }

    private static JsonObject ObjectSchema(RandomSchemas schemas)
    {
        while (true)
        {
            var schema = schemas.Next();
            if (schema["type"] is JsonValue type && type.GetValue<string>() == "object" && schema.ToJsonString().Length < 350)
            {
                return schema;
            }
        }
    }

    private static string? Check(JsonElement choice, JsonObject[] parameters, bool named)
    {
        if (choice.GetProperty("finish_reason").GetString() != "tool_calls")
        {
            return "finish_reason " + choice.GetProperty("finish_reason").GetString();
        }

        var calls = choice.GetProperty("message").GetProperty("tool_calls").EnumerateArray().ToList();
        if (calls.Count == 0 || (named && calls.Count != 1))
        {
            return $"{calls.Count} calls";
        }

        foreach (var call in calls)
        {
            var name = call.GetProperty("function").GetProperty("name").GetString();
            var index = name switch { "tool_0" when !named => 0, "tool_1" => 1, _ => -1 };
            if (index < 0)
            {
                return $"called '{name}'";
            }

            var problem = StructuredOutputPropertyTests.Check(parameters[index], call.GetProperty("function").GetProperty("arguments").GetString()!, "stop");
            if (problem is not null)
            {
                return $"{name}: {problem}";
            }
        }

        return null;
    }
}
