using System.Text.Json;
using InferenceServer.OpenAI.Json;
using InferenceServer.OpenAI.Protocol;

namespace InferenceServer.OpenAI.Tests;

public class ConverterTests
{
    private static ChatCompletionRequest Chat(string json) => JsonSerializer.Deserialize(json, OpenAiJsonContext.Default.ChatCompletionRequest)!;
    private static CompletionRequest Completion(string json) => JsonSerializer.Deserialize(json, OpenAiJsonContext.Default.CompletionRequest)!;

    [Fact]
    public void Stop_accepts_string_array_and_null()
    {
        Assert.Equal(["x"], Chat("{\"stop\":\"x\"}").Stop);
        Assert.Equal(["a", "b"], Chat("{\"stop\":[\"a\",\"b\"]}").Stop);
        Assert.Null(Chat("{\"stop\":null}").Stop);
        Assert.Null(Chat("{}").Stop);
    }

    [Fact]
    public void Stop_rejects_other_types()
    {
        var ex = Assert.Throws<JsonException>(() => Chat("{\"stop\":5}"));
        Assert.Equal("$.stop", ex.Path);
        Assert.Throws<JsonException>(() => Chat("{\"stop\":[1]}"));
    }

    [Fact]
    public void Prompt_polymorphism()
    {
        Assert.Equal(["hi"], Completion("{\"prompt\":\"hi\"}").Prompt!.Texts);
        Assert.Equal(["a", "b"], Completion("{\"prompt\":[\"a\",\"b\"]}").Prompt!.Texts);
        var flat = Completion("{\"prompt\":[1,2,3]}").Prompt!;
        Assert.Single(flat.TokenLists!);
        Assert.Equal([1, 2, 3], flat.TokenLists![0]);
        var nested = Completion("{\"prompt\":[[1],[2,3]]}").Prompt!;
        Assert.Equal(2, nested.Count);
        Assert.Equal([2, 3], nested.TokenLists![1]);
    }

    [Theory]
    [InlineData("{\"prompt\":5}")]
    [InlineData("{\"prompt\":[\"a\",1]}")]
    [InlineData("{\"prompt\":[[1,\"x\"]]}")]
    [InlineData("{\"prompt\":{\"a\":1}}")]
    [InlineData("{\"prompt\":[1.5]}")]
    public void Prompt_rejects_mixed_or_wrong_types(string json) =>
        Assert.Equal("$.prompt", Assert.Throws<JsonException>(() => Completion(json)).Path);

    [Fact]
    public void Message_content_string_parts_and_null()
    {
        var request = Chat("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"text\",\"text\":\"b\"}]},{\"role\":\"assistant\",\"content\":null}]}");
        Assert.Equal("hi", request.Messages![0]!.Content!.Text);
        Assert.Equal(["a", "b"], request.Messages[1]!.Content!.Parts!.Select(p => p.Text));
        Assert.Null(request.Messages[2]!.Content);
        Assert.Equal("a\nb", Mapping.ChatRequestMapper.ContentText(request.Messages[1]!.Content));
    }

    [Fact]
    public void Message_content_rejects_numbers()
    {
        var ex = Assert.Throws<JsonException>(() => Chat("{\"messages\":[{\"role\":\"user\",\"content\":5}]}"));
        Assert.Equal("$.messages[0].content", ex.Path);
    }

    [Fact]
    public void Tool_choice_string_or_object_kept_as_json()
    {
        Assert.Equal(JsonValueKind.String, Chat("{\"tool_choice\":\"none\"}").ToolChoice!.Value.ValueKind);
        Assert.Equal(JsonValueKind.Object, Chat("{\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"f\"}}}").ToolChoice!.Value.ValueKind);
    }

    [Fact]
    public void Prompt_round_trips()
    {
        var json = JsonSerializer.Serialize(new EmbeddingRequest { Input = PromptInput.FromTokens([1, 2]) }, OpenAiJsonContext.Default.EmbeddingRequest);
        Assert.Contains("\"input\":[[1,2]]", json);
    }
}
