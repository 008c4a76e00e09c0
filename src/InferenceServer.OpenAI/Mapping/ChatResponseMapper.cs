using InferenceServer.Core.Generation;
using InferenceServer.OpenAI.Protocol;

namespace InferenceServer.OpenAI.Mapping;

/// <summary>Engine output to chat.completion / chat.completion.chunk objects.</summary>
public static class ChatResponseMapper
{
    public sealed record Header(string Id, long Created, string Model, bool IncludeUsage);

    public static ChatCompletionResponse ToResponse(Header h, IReadOnlyList<ChoiceAccumulator> choices, bool withLogprobs, Usage usage) => new()
    {
        Id = h.Id,
        Created = h.Created,
        Model = h.Model,
        Choices = choices.Select((c, i) => new ChatChoice
        {
            Index = i,
            Message = new AssistantMessage { Content = c.Text },
            Logprobs = withLogprobs ? Logprobs(c.Logprobs) : null,
            FinishReason = WireValues.FinishReason(c.FinishReason) ?? "stop",
            CumulativeLogprob = c.CumulativeLogprob,
        }).ToList(),
        Usage = WireValues.Usage(usage),
    };

    /// <summary>The first chunk of a choice: role plus empty content.</summary>
    public static ChatCompletionChunk RoleChunk(Header h, int index) =>
        Chunk(h, new ChatChunkChoice { Index = index, Delta = new ChatDelta { Role = "assistant", Content = "" }, FinishReason = null });

    public static ChatCompletionChunk ContentChunk(Header h, int index, GenerationUpdate update, bool withLogprobs) =>
        Chunk(h, new ChatChunkChoice
        {
            Index = index,
            Delta = new ChatDelta { Content = update.Text },
            Logprobs = withLogprobs ? Logprobs(update.Logprobs ?? []) : null,
            FinishReason = null,
        });

    /// <summary>Empty delta with the finish reason.</summary>
    public static ChatCompletionChunk FinishChunk(Header h, int index, FinishReason reason) =>
        Chunk(h, new ChatChunkChoice { Index = index, Delta = new ChatDelta(), FinishReason = WireValues.FinishReason(reason) });

    /// <summary>The extra chunk before [DONE] when include_usage: no choices, usage for all of them.</summary>
    public static ChatCompletionChunk UsageChunk(Header h, Usage usage) => new()
    {
        Id = h.Id,
        Created = h.Created,
        Model = h.Model,
        Choices = [],
        Usage = new ChunkUsage(WireValues.Usage(usage)),
    };

    public static ChatLogprobs Logprobs(IReadOnlyList<TokenLogprob> tokens) => new()
    {
        Content = tokens.Select(t => new ChatTokenLogprob
        {
            Token = t.Token,
            Logprob = t.Logprob,
            Bytes = WireValues.Bytes(t.Bytes),
            TopLogprobs = t.TopLogprobs.Select(a => new ChatTopLogprob { Token = a.Token, Logprob = a.Logprob, Bytes = WireValues.Bytes(a.Bytes) }).ToList(),
        }).ToList(),
        Refusal = null,
    };

    private static ChatCompletionChunk Chunk(Header h, ChatChunkChoice choice) => new()
    {
        Id = h.Id,
        Created = h.Created,
        Model = h.Model,
        Choices = [choice],
        Usage = h.IncludeUsage ? ChunkUsage.Null : null,
    };
}
