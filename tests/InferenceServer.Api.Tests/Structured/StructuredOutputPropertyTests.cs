extern alias JsonSchemaNet;

using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using InferenceServer.Api.Tests.RealEngine;
using JsonSchemaNet::Json.Schema;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests.Structured;

/// <summary>
/// The structured-output guarantee on the real engine with random weights (whose free output is noise): 200 random
/// bounded schemas, each answered with n=3 (three seeds) at one of four temperatures, every output must parse,
/// validate against its schema (JsonSchema.Net, formats checked) and end with finish_reason "stop".
/// </summary>
public sealed class StructuredOutputPropertyTests(TinyRandomEngineFactory factory) : IClassFixture<TinyRandomEngineFactory>
{
    private const int SchemaCount = 200;
    private static readonly double[] Temperatures = [0, 0.8, 1.2, 1.7];
    private static readonly EvaluationOptions Validation = new() { RequireFormatValidation = true, OutputFormat = OutputFormat.List };

    [Fact]
    public async Task Every_output_of_200_random_schemas_parses_validates_and_stops()
    {
        var client = await factory.ReadyClientAsync();
        var generator = new RandomSchemas(seed: 2026);
        var schemas = Enumerable.Range(0, SchemaCount).Select(_ => generator.Next()).ToList();
        var failures = new ConcurrentBag<string>();
        using var gate = new SemaphoreSlim(3);
        var outputs = 0;

        await Task.WhenAll(schemas.Select(async (schema, i) =>
        {
            await gate.WaitAsync();
            try
            {
                foreach (var (content, finish) in await AskAsync(client, schema, i))
                {
                    Interlocked.Increment(ref outputs);
                    var problem = Check(schema, content, finish);
                    if (problem is not null)
                    {
                        failures.Add($"schema {i} {schema.ToJsonString()} (temperature {Temperatures[i % Temperatures.Length]}): {problem}\n  output: {content}");
                    }
                }
            }
            finally
            {
                gate.Release();
            }
        }));

        Assert.True(failures.IsEmpty, $"{failures.Count} of {outputs} outputs failed:\n" + string.Join("\n", failures.Take(10)));
        Assert.Equal(SchemaCount * 3, outputs);
    }

    private static async Task<IReadOnlyList<(string Content, string? Finish)>> AskAsync(HttpClient client, JsonObject schema, int i)
    {
        var body = new JsonObject
        {
            ["model"] = TinyRandomEngineFactory.TinyModelId,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = $"Answer {i} in JSON." }),
            ["temperature"] = Temperatures[i % Temperatures.Length],
            ["seed"] = i * 7,
            ["n"] = 3,
            ["max_tokens"] = 1500,
            ["response_format"] = new JsonObject
            {
                ["type"] = "json_schema",
                ["json_schema"] = new JsonObject { ["name"] = $"schema_{i}", ["schema"] = schema.DeepClone(), ["strict"] = true },
            },
        };
        var (status, response, _) = await PostJsonAsync(client, "/v1/chat/completions", body.ToJsonString());
        Assert.True(status == HttpStatusCode.OK, $"schema {i}: {status} {response}");
        return response.GetProperty("choices").EnumerateArray()
            .Select(c => (c.GetProperty("message").GetProperty("content").GetString() ?? "", c.GetProperty("finish_reason").GetString()))
            .ToList();
    }

    /// <summary>Null when the output is a valid instance that ended with "stop"; else what is wrong.</summary>
    internal static string? Check(JsonNode schema, string content, string? finish)
    {
        if (finish != "stop")
        {
            return $"finish_reason {finish}";
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(content);
        }
        catch (JsonException ex)
        {
            return "does not parse: " + ex.Message;
        }

        using (document)
        {
            var instance = JsonSerializer.SerializeToElement(CodePointView(JsonNode.Parse(document.RootElement.GetRawText())));
            // A registry of its own: the default build options share one, and three of these checks run at once
            // (a CI run once failed to resolve a schema's own '#/$defs/main' that way).
            var build = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
            var result = JsonSchema.FromText(schema.ToJsonString(), build).Evaluate(instance, Validation);
            return result.IsValid
                ? null
                : "does not validate: " + string.Join("; ", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));
        }
    }

    /// <summary>
    /// JSON Schema counts a string's length in code points (RFC 8259 characters); JsonSchema.Net counts grapheme
    /// clusters, so a random model's combining mark after a base character made a 3-code-point string "2 characters".
    /// This view keeps every string's code-point count but makes each code point its own grapheme (a code point that
    /// would extend the previous one becomes 'x'), so the validator's count is the specification's.
    /// </summary>
    private static JsonNode? CodePointView(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    obj[key] = CodePointView(obj[key]?.DeepClone());
                }

                return obj;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    array[i] = CodePointView(array[i]?.DeepClone());
                }

                return array;
            case JsonValue value when value.TryGetValue<string>(out var text):
                var view = new System.Text.StringBuilder(text.Length);
                var elements = System.Globalization.StringInfo.GetTextElementEnumerator(text);
                while (elements.MoveNext())
                {
                    var element = (string)elements.Current;
                    var first = true;
                    foreach (var rune in element.EnumerateRunes())
                    {
                        view.Append(first ? rune.ToString() : "x");
                        first = false;
                    }
                }

                return JsonValue.Create(view.ToString());
            default:
                return node;
        }
    }
}
