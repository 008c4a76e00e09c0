using System.Text.Json;
using InferenceServer.Core.Generation;
using InferenceServer.OpenAI.Ids;
using InferenceServer.OpenAI.Json;
using InferenceServer.OpenAI.Mapping;

namespace InferenceServer.OpenAI.Tests;

public class IdAndMapperTests
{
    [Theory]
    [InlineData(IdPrefixes.Chat)]
    [InlineData(IdPrefixes.Completion)]
    public void Ids_are_prefix_plus_29_base62_and_unique(string prefix)
    {
        var generator = new RandomIdGenerator();
        var ids = Enumerable.Range(0, 1000).Select(_ => generator.NewId(prefix)).ToList();
        Assert.All(ids, id =>
        {
            Assert.StartsWith(prefix, id);
            var tail = id[prefix.Length..];
            Assert.True(tail.Length >= 24);
            Assert.All(tail, c => Assert.True(char.IsAsciiLetterOrDigit(c)));
        });
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void Sampling_defaults_are_openai_defaults()
    {
        var p = SamplingMapper.Map(new SamplingMapper.Fields(null, null, null, null, null, null, null, null, null, null));
        Assert.Equal(1f, p.Temperature);
        Assert.Equal(1f, p.TopP);
        Assert.Equal(0, p.TopK);
        Assert.Equal(1f, p.RepetitionPenalty);
        Assert.Null(p.Seed);
        Assert.Empty(p.LogitBias);
        Assert.False(p.IgnoreEos);
    }

    [Fact]
    public void Chat_request_maps_extras_seed_per_choice_and_max_tokens_precedence()
    {
        var request = JsonSerializer.Deserialize(
            "{\"model\":\"m\",\"messages\":[{\"role\":\"developer\",\"content\":\"s\"},{\"role\":\"user\",\"content\":\"q\"}],\"n\":3,\"seed\":7,\"max_tokens\":5,\"max_completion_tokens\":9," +
            "\"temperature\":0.5,\"top_k\":40,\"min_p\":0.1,\"repetition_penalty\":1.1,\"ignore_eos\":true,\"logit_bias\":{\"12\":-100},\"stop\":\"END\",\"logprobs\":true,\"top_logprobs\":3}",
            OpenAiJsonContext.Default.ChatCompletionRequest)!;
        var requests = ChatRequestMapper.ToGenerationRequests(request, [1, 2], "chatcmpl-x");
        Assert.Equal(3, requests.Count);
        Assert.Equal([7u, 8u, 9u], requests.Select(r => r.Sampling.Seed!.Value));
        Assert.All(requests, r =>
        {
            Assert.Equal(9, r.MaxTokens);
            Assert.Equal(0.5f, r.Sampling.Temperature);
            Assert.Equal(40, r.Sampling.TopK);
            Assert.Equal(0.1f, r.Sampling.MinP, 5);
            Assert.True(r.Sampling.IgnoreEos);
            Assert.Equal(-100f, r.Sampling.LogitBias[12]);
            Assert.Equal(["END"], r.StopSequences);
            Assert.Equal(3, r.TopLogprobs);
            Assert.Equal(GenerationOperation.Chat, r.Operation);
        });
        Assert.Equal("system", ChatRequestMapper.ToMessages(request)[0].Role);
    }

    [Fact]
    public void Completion_defaults_16_tokens_and_indexes_prompt_times_n()
    {
        var request = JsonSerializer.Deserialize("{\"model\":\"m\",\"prompt\":[\"a\",\"b\"],\"n\":2,\"logprobs\":2}", OpenAiJsonContext.Default.CompletionRequest)!;
        var requests = CompletionRequestMapper.ToGenerationRequests(request, [[1], [2]], "cmpl-x");
        Assert.Equal(4, requests.Count);
        Assert.All(requests, r => Assert.Equal(16, r.MaxTokens));
        Assert.Equal([1, 1, 2, 2], requests.Select(r => r.PromptTokens[0]));
        Assert.Equal(["cmpl-x-0", "cmpl-x-1", "cmpl-x-2", "cmpl-x-3"], requests.Select(r => r.RequestId));
        Assert.All(requests, r => Assert.Equal(2, r.TopLogprobs));
        Assert.Equal(3, CompletionRequestMapper.ChoiceIndex(1, 1, 2));
    }

    [Fact]
    public void Finish_reason_and_usage_sum()
    {
        Assert.Equal("stop", WireValues.FinishReason(FinishReason.Stop));
        Assert.Equal("length", WireValues.FinishReason(FinishReason.Length));
        Assert.Null(WireValues.FinishReason(FinishReason.Cancelled));
        var sum = WireValues.Sum([new Usage(10, 3), new Usage(10, 4), new Usage(6, 1), new Usage(6, 2)], 2);
        Assert.Equal(new Usage(16, 10), sum);
    }
}
