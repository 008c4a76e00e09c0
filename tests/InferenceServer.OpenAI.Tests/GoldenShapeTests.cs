using System.Text.Json;
using InferenceServer.Core.Generation;
using InferenceServer.OpenAI.Json;
using InferenceServer.OpenAI.Mapping;
using InferenceServer.OpenAI.Protocol;
using static InferenceServer.OpenAI.Tests.JsonShape;

namespace InferenceServer.OpenAI.Tests;

public class GoldenShapeTests
{
    private static readonly ChatResponseMapper.Header NoUsage = new("chatcmpl-abc", 1700000000, "tiny", IncludeUsage: false);
    private static readonly ChatResponseMapper.Header WithUsage = NoUsage with { IncludeUsage = true };
    private static readonly Usage SampleUsage = new(5, 7, 2);

    private static ChoiceAccumulator Finished(string text, FinishReason reason, IReadOnlyList<TokenLogprob>? logprobs = null)
    {
        var acc = new ChoiceAccumulator();
        acc.Add(new GenerationUpdate { Text = text, Logprobs = logprobs });
        acc.Add(new GenerationUpdate { FinishReason = reason, Usage = SampleUsage });
        return acc;
    }

    private static TokenLogprob Lp(string token) =>
        new(1, token, System.Text.Encoding.UTF8.GetBytes(token), -0.5f, [new TopLogprob(2, "x", [120], -1.5f)]);

    [Fact]
    public void ChatCompletion_has_exact_keys_and_nullable_fields()
    {
        var json = Serialize(ChatResponseMapper.ToResponse(NoUsage, [Finished("Hi", FinishReason.Stop)], false, SampleUsage), OpenAiJsonContext.Default.ChatCompletionResponse);
        Keys(json, "id", "object", "created", "model", "choices", "usage");
        Assert.Equal("chat.completion", json.GetProperty("object").GetString());
        Assert.Equal(1700000000, json.GetProperty("created").GetInt64());
        var choice = json.GetProperty("choices")[0];
        Keys(choice, "index", "message", "logprobs", "finish_reason");
        IsNull(choice, "logprobs");
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        var message = choice.GetProperty("message");
        Keys(message, "role", "content", "refusal");
        IsNull(message, "refusal");
        Assert.Equal("assistant", message.GetProperty("role").GetString());
        Assert.Equal("Hi", message.GetProperty("content").GetString());
        var usage = json.GetProperty("usage");
        Keys(usage, "prompt_tokens", "completion_tokens", "total_tokens", "prompt_tokens_details");
        Assert.Equal(12, usage.GetProperty("total_tokens").GetInt32());
        Keys(usage.GetProperty("prompt_tokens_details"), "cached_tokens");
    }

    [Fact]
    public void ChatCompletion_logprobs_shape()
    {
        var json = Serialize(ChatResponseMapper.ToResponse(NoUsage, [Finished("Hi", FinishReason.Length, [Lp("Hi")])], true, SampleUsage), OpenAiJsonContext.Default.ChatCompletionResponse);
        var logprobs = json.GetProperty("choices")[0].GetProperty("logprobs");
        Keys(logprobs, "content", "refusal");
        IsNull(logprobs, "refusal");
        var token = logprobs.GetProperty("content")[0];
        Keys(token, "token", "logprob", "bytes", "top_logprobs");
        Assert.Equal([72, 105], token.GetProperty("bytes").EnumerateArray().Select(b => b.GetInt32()));
        Keys(token.GetProperty("top_logprobs")[0], "token", "logprob", "bytes");
        Assert.Equal("length", json.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public void Role_chunk_without_include_usage_has_no_usage_key()
    {
        var json = Serialize(ChatResponseMapper.RoleChunk(NoUsage, 0), OpenAiJsonContext.Default.ChatCompletionChunk);
        Keys(json, "id", "object", "created", "model", "choices");
        Assert.Equal("chat.completion.chunk", json.GetProperty("object").GetString());
        var choice = json.GetProperty("choices")[0];
        Keys(choice, "index", "delta", "logprobs", "finish_reason");
        IsNull(choice, "finish_reason");
        IsNull(choice, "logprobs");
        Keys(choice.GetProperty("delta"), "role", "content");
        Assert.Equal("", choice.GetProperty("delta").GetProperty("content").GetString());
    }

    [Fact]
    public void Chunks_with_include_usage_carry_usage_null()
    {
        var json = Serialize(ChatResponseMapper.ContentChunk(WithUsage, 1, new GenerationUpdate { Text = "yo" }, false), OpenAiJsonContext.Default.ChatCompletionChunk);
        Keys(json, "id", "object", "created", "model", "choices", "usage");
        IsNull(json, "usage");
        var choice = json.GetProperty("choices")[0];
        Assert.Equal(1, choice.GetProperty("index").GetInt32());
        Keys(choice.GetProperty("delta"), "content");
    }

    [Fact]
    public void Finish_chunk_has_empty_delta()
    {
        var json = Serialize(ChatResponseMapper.FinishChunk(NoUsage, 0, FinishReason.Length), OpenAiJsonContext.Default.ChatCompletionChunk);
        var choice = json.GetProperty("choices")[0];
        Keys(choice.GetProperty("delta"));
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
        IsNull(choice, "logprobs");
    }

    [Fact]
    public void Usage_chunk_has_empty_choices_and_usage()
    {
        var json = Serialize(ChatResponseMapper.UsageChunk(WithUsage, SampleUsage), OpenAiJsonContext.Default.ChatCompletionChunk);
        Keys(json, "id", "object", "created", "model", "choices", "usage");
        Assert.Equal(0, json.GetProperty("choices").GetArrayLength());
        Assert.Equal(7, json.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public void Content_chunk_with_logprobs()
    {
        var json = Serialize(ChatResponseMapper.ContentChunk(NoUsage, 0, new GenerationUpdate { Text = "a", Logprobs = [Lp("a")] }, true), OpenAiJsonContext.Default.ChatCompletionChunk);
        var lp = json.GetProperty("choices")[0].GetProperty("logprobs");
        Keys(lp, "content", "refusal");
        Assert.Equal("a", lp.GetProperty("content")[0].GetProperty("token").GetString());
    }

    [Fact]
    public void TextCompletion_shape()
    {
        var json = Serialize(CompletionResponseMapper.ToResponse(NoUsage, [Finished("yes", FinishReason.Length)], ["Q: "], false, SampleUsage), OpenAiJsonContext.Default.CompletionResponse);
        Keys(json, "id", "object", "created", "model", "choices", "usage");
        Assert.Equal("text_completion", json.GetProperty("object").GetString());
        var choice = json.GetProperty("choices")[0];
        Keys(choice, "text", "index", "logprobs", "finish_reason");
        Assert.Equal("Q: yes", choice.GetProperty("text").GetString());
        IsNull(choice, "logprobs");
    }

    [Fact]
    public void TextCompletion_logprobs_shape_and_offsets()
    {
        var acc = Finished("ab", FinishReason.Stop, [Lp("a"), Lp("b")]);
        var json = Serialize(CompletionResponseMapper.ToResponse(NoUsage, [acc], ["xy"], true, SampleUsage), OpenAiJsonContext.Default.CompletionResponse);
        var lp = json.GetProperty("choices")[0].GetProperty("logprobs");
        Keys(lp, "tokens", "token_logprobs", "top_logprobs", "text_offset");
        Assert.Equal([2, 3], lp.GetProperty("text_offset").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(-1.5, lp.GetProperty("top_logprobs")[0].GetProperty("x").GetDouble());
    }

    [Fact]
    public void TextCompletion_chunks()
    {
        var text = Serialize(CompletionResponseMapper.TextChunk(WithUsage, 0, new GenerationUpdate { Text = "t" }, false, 0), OpenAiJsonContext.Default.CompletionChunk);
        Keys(text, "id", "object", "created", "model", "choices", "usage");
        IsNull(text, "usage");
        Keys(text.GetProperty("choices")[0], "text", "index", "logprobs", "finish_reason");
        IsNull(text.GetProperty("choices")[0], "finish_reason");

        var finish = Serialize(CompletionResponseMapper.FinishChunk(NoUsage, 0, FinishReason.Stop), OpenAiJsonContext.Default.CompletionChunk);
        Keys(finish, "id", "object", "created", "model", "choices");
        Assert.Equal("stop", finish.GetProperty("choices")[0].GetProperty("finish_reason").GetString());

        var usage = Serialize(CompletionResponseMapper.UsageChunk(WithUsage, SampleUsage), OpenAiJsonContext.Default.CompletionChunk);
        Assert.Equal(0, usage.GetProperty("choices").GetArrayLength());
        Assert.Equal(5, usage.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public void Error_has_all_four_keys_and_string_code()
    {
        var json = Serialize(ErrorMapper.Map(Core.Errors.InferenceException.Invalid("bad"), 1).Body, OpenAiJsonContext.Default.ErrorResponse);
        Keys(json, "error");
        var error = json.GetProperty("error");
        Keys(error, "message", "type", "param", "code");
        IsNull(error, "param");
        IsNull(error, "code");

        var ctx = Serialize(ErrorMapper.Map(Core.Errors.InferenceException.ContextLength(10, 5, 8), 1).Body, OpenAiJsonContext.Default.ErrorResponse).GetProperty("error");
        Assert.Equal(JsonValueKind.String, ctx.GetProperty("code").ValueKind);
        Assert.Equal("context_length_exceeded", ctx.GetProperty("code").GetString());
    }

    [Fact]
    public void Model_list_shape()
    {
        var json = Serialize(new ModelList { Data = [new ModelObject { Id = "m", Created = 5 }] }, OpenAiJsonContext.Default.ModelList);
        Keys(json, "object", "data");
        Assert.Equal("list", json.GetProperty("object").GetString());
        var model = json.GetProperty("data")[0];
        Keys(model, "id", "object", "created", "owned_by");
        Assert.Equal("inferenceserver", model.GetProperty("owned_by").GetString());
        Assert.Equal("model", model.GetProperty("object").GetString());
    }

    [Fact]
    public void Embedding_response_shape()
    {
        var json = Serialize(
            new EmbeddingResponse
            {
                Model = "m",
                Data = [new EmbeddingData { Index = 0, Embedding = new EmbeddingVector([0.5f], Base64: false) }],
                Usage = new EmbeddingUsage(3, 3),
            },
            OpenAiJsonContext.Default.EmbeddingResponse);
        Keys(json, "object", "data", "model", "usage");
        Keys(json.GetProperty("data")[0], "object", "index", "embedding");
        Keys(json.GetProperty("usage"), "prompt_tokens", "total_tokens");
        Assert.Equal(0.5f, json.GetProperty("data")[0].GetProperty("embedding")[0].GetSingle());
    }

    [Fact]
    public void Base64_embedding_is_little_endian_float32_bytes()
    {
        var json = Serialize(
            new EmbeddingResponse
            {
                Model = "m",
                Data = [new EmbeddingData { Index = 0, Embedding = new EmbeddingVector([1f, -0.25f], Base64: true) }],
                Usage = new EmbeddingUsage(1, 1),
            },
            OpenAiJsonContext.Default.EmbeddingResponse);
        var text = json.GetProperty("data")[0].GetProperty("embedding").GetString()!;
        Assert.Equal(Convert.ToBase64String([0, 0, 0x80, 0x3F, 0, 0, 0x80, 0xBE]), text);
        Assert.Equal([1f, -0.25f], InferenceServer.OpenAI.Json.EmbeddingVectorConverter.FromBase64(text));
    }
}
