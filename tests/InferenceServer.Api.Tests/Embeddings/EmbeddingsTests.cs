using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text.Json;
using InferenceServer.Api.Tests.RealEngine;
using InferenceServer.OpenAI.Json;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Embeddings;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests.Embeddings;

/// <summary>POST /v1/embeddings on the real engine (TinyRandom: 64 dimensions, mean pooling of the last hidden state).</summary>
public sealed class EmbeddingsTests(TinyRandomEngineFactory factory) : IClassFixture<TinyRandomEngineFactory>
{
    private const string Model = TinyRandomEngineFactory.TinyModelId;

    [Fact]
    public async Task An_input_gets_the_same_unit_vector_alone_and_batched_with_others()
    {
        var client = await factory.ReadyClientAsync();
        var alone = (await EmbedAsync(client, "\"the cat sat on the mat\""))[0];
        var batched = await EmbedAsync(client, "[\"a much longer sentence about something else entirely, with commas\", \"the cat sat on the mat\", \"x\"]");

        Assert.Equal(3, batched.Count);
        Assert.Equal(64, alone.Length);
        Assert.Equal(alone, batched[1]);
        Assert.NotEqual(alone, batched[0]);
        foreach (var vector in batched.Append(alone))
        {
            Assert.Equal(1.0, Math.Sqrt(vector.Sum(v => (double)v * v)), 5);
        }
    }

    [Fact]
    public async Task Base64_decodes_to_the_float_answer()
    {
        var client = await factory.ReadyClientAsync();
        var floats = await EmbedAsync(client, "[\"alpha beta\", \"gamma\"]");
        var response = await PostAsync(client, "[\"alpha beta\", \"gamma\"]", ",\"encoding_format\":\"base64\"");
        var data = response.GetProperty("data");
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(floats[i], EmbeddingVectorConverter.FromBase64(data[i].GetProperty("embedding").GetString()!));
        }
    }

    [Fact]
    public async Task Token_id_inputs_match_text_inputs_and_usage_counts_every_token()
    {
        var client = await factory.ReadyClientAsync();
        var tokens = factory.Engine.Tokenizer.Tokenize("hello world", addSpecial: true, parseSpecial: true);
        var ids = JsonSerializer.Serialize(tokens);
        var text = await PostAsync(client, "[\"hello world\", \"hello world\"]");
        var single = await PostAsync(client, ids);
        var lists = await PostAsync(client, $"[{ids},{ids}]");

        Assert.Equal(2 * tokens.Length, text.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(2 * tokens.Length, text.GetProperty("usage").GetProperty("total_tokens").GetInt32());
        Assert.Equal(tokens.Length, single.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal("list", text.GetProperty("object").GetString());
        Assert.Equal(Model, text.GetProperty("model").GetString());
        var expected = Floats(text.GetProperty("data")[0]);
        Assert.Equal(expected, Floats(single.GetProperty("data")[0]));
        Assert.Equal(expected, Floats(lists.GetProperty("data")[1]));
        Assert.Equal(1, lists.GetProperty("data")[1].GetProperty("index").GetInt32());
    }

    [Theory]
    [InlineData("\"input\":[]", 400, "empty_array")]
    [InlineData("\"input\":\"\"", 400, "empty_string")]
    [InlineData("\"input\":\"hi\",\"encoding_format\":\"int8\"", 400, "invalid_value")]
    [InlineData("\"input\":\"hi\",\"dimensions\":32", 400, "unsupported_parameter")]
    [InlineData("\"input\":[[1,2,999999]]", 400, null)]
    [InlineData("\"input\":\"hi\",\"model\":\"nope\"", 404, "model_not_found")]
    public async Task Bad_input_is_an_openai_error(string fields, int status, string? code)
    {
        var client = await factory.ReadyClientAsync();
        var body = fields.Contains("\"model\"") ? "{" + fields + "}" : "{\"model\":\"" + Model + "\"," + fields + "}";
        var response = await client.PostAsync("/v1/embeddings", Json(body));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(code, error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Dimensions_equal_to_the_model_size_are_accepted()
    {
        var client = await factory.ReadyClientAsync();
        var response = await PostAsync(client, "\"hi\"", ",\"dimensions\":64");
        Assert.Equal(64, Floats(response.GetProperty("data")[0]).Length);
    }

    [Fact]
    public async Task An_input_longer_than_the_context_is_refused_not_truncated()
    {
        var client = await factory.ReadyClientAsync();
        var ids = JsonSerializer.Serialize(Enumerable.Repeat(65, 2049));
        var response = await client.PostAsync("/v1/embeddings", Json("{\"model\":\"" + Model + "\",\"input\":[[1,2]," + ids + "]}"));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("context_length_exceeded", error.GetProperty("code").GetString());
        Assert.Equal("input", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task The_official_sdk_embedding_client_works_unmodified()
    {
        var client = await factory.ReadyClientAsync();
        var expected = await EmbedAsync(client, "[\"first text\", \"second text\"]");
        var sdk = new EmbeddingClient(Model, new ApiKeyCredential("sk-test"), await OptionsAsync());

        OpenAIEmbeddingCollection result = (await sdk.GenerateEmbeddingsAsync(["first text", "second text"])).Value;

        Assert.Equal(2, result.Count);
        Assert.Equal(expected[0], result[0].ToFloats().ToArray());
        Assert.Equal(expected[1], result[1].ToFloats().ToArray());
        Assert.True(result.Usage.InputTokenCount > 0);
    }

    [Fact]
    public async Task Microsoft_extensions_ai_embedding_generator_works_unmodified()
    {
        var client = await factory.ReadyClientAsync();
        var expected = (await EmbedAsync(client, "\"a sentence to embed\""))[0];
        IEmbeddingGenerator<string, Embedding<float>> generator =
            new EmbeddingClient(Model, new ApiKeyCredential("sk-test"), await OptionsAsync()).AsIEmbeddingGenerator();

        var embeddings = await generator.GenerateAsync(["a sentence to embed"]);

        Assert.Single(embeddings);
        Assert.Equal(expected, embeddings[0].Vector.ToArray());
        Assert.Equal(64, (await generator.GenerateVectorAsync("other")).Length);
    }

    private async Task<OpenAIClientOptions> OptionsAsync() => new()
    {
        Endpoint = new Uri(factory.Server.BaseAddress + "v1"),
        Transport = new HttpClientPipelineTransport(await factory.ReadyClientAsync()),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    };

    internal static async Task<JsonElement> PostAsync(HttpClient client, string input, string extra = "")
    {
        var response = await client.PostAsync("/v1/embeddings", Json("{\"model\":\"" + Model + "\",\"input\":" + input + extra + "}"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    internal static async Task<List<float[]>> EmbedAsync(HttpClient client, string input)
    {
        var root = await PostAsync(client, input);
        return root.GetProperty("data").EnumerateArray().Select(Floats).ToList();
    }

    private static float[] Floats(JsonElement data) =>
        data.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray();
}
