using InferenceServer.Core.Generation;
using InferenceServer.OpenAI.Protocol;

namespace InferenceServer.OpenAI.Mapping;

/// <summary>Engine output to chat.completion / chat.completion.chunk objects.</summary>
public static class ChatResponseMapper
{
    public sealed record Header(string Id, long Created, string Model, bool IncludeUsage);

    /// <param name="tools">The call format when the output is read for tool calls; <paramref name="newCallId"/> then
    /// names each call.</param>
    public static ChatCompletionResponse ToResponse(Header h, IReadOnlyList<ChoiceAccumulator> choices, bool withLogprobs, Usage usage,
        Tools.ToolCallFormat? tools = null, Func<string>? newCallId = null) => new()
    {
        Id = h.Id,
        Created = h.Created,
        Model = h.Model,
        Choices = choices.Select((c, i) =>
        {
            var parsed = tools?.Parse(c.Text);
            var calls = parsed is { Calls.Count: > 0 }
                ? parsed.Calls.Select(call => new ToolCallDto { Id = newCallId!(), Function = new FunctionCallDto(call.Name, call.Arguments) }).ToList()
                : null;
            return new ChatChoice
            {
                Index = i,
                Message = new AssistantMessage { Content = parsed is null ? c.Text : parsed.Content, ToolCalls = calls },
                Logprobs = withLogprobs ? Logprobs(c.Logprobs) : null,
                FinishReason = calls is not null ? ToolCallsFinishReason : WireValues.FinishReason(c.FinishReason) ?? "stop",
                CumulativeLogprob = c.CumulativeLogprob,
            };
        }).ToList(),
        Usage = WireValues.Usage(usage),
    };

    public const string ToolCallsFinishReason = "tool_calls";

    /// <summary>A streamed piece of a tool-calling answer: content, a call's first delta (id, type, name, empty
    /// arguments) or an arguments fragment.</summary>
    public static ChatCompletionChunk ToolEventChunk(Header h, int index, Tools.ToolStreamEvent e, Func<string> newCallId) =>
        Chunk(h, new ChatChunkChoice
        {
            Index = index,
            Delta = e switch
            {
                Tools.ContentEvent content => new ChatDelta { Content = content.Text },
                Tools.CallStartEvent start => new ChatDelta
                {
                    ToolCalls = [new ToolCallDeltaDto { Index = start.Index, Id = newCallId(), Type = "function", Function = new FunctionCallDeltaDto { Name = start.Name, Arguments = "" } }],
                },
                Tools.CallArgumentsEvent args => new ChatDelta
                {
                    ToolCalls = [new ToolCallDeltaDto { Index = args.Index, Function = new FunctionCallDeltaDto { Arguments = args.Fragment } }],
                },
                _ => throw new ArgumentOutOfRangeException(nameof(e)),
            },
            FinishReason = null,
        });

    /// <summary>Empty delta with finish_reason "tool_calls".</summary>
    public static ChatCompletionChunk ToolCallsFinishChunk(Header h, int index) =>
        Chunk(h, new ChatChunkChoice { Index = index, Delta = new ChatDelta(), FinishReason = ToolCallsFinishReason });

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
