using InferenceServer.Core.Generation;
using InferenceServer.OpenAI.Protocol;

namespace InferenceServer.OpenAI.Mapping;

/// <summary>Engine output to text_completion objects (responses and stream chunks).</summary>
public static class CompletionResponseMapper
{
    public static CompletionResponse ToResponse(ChatResponseMapper.Header h, IReadOnlyList<ChoiceAccumulator> choices, IReadOnlyList<string> echoPrefixes, bool withLogprobs, Usage usage) => new()
    {
        Id = h.Id,
        Created = h.Created,
        Model = h.Model,
        Choices = choices.Select((c, i) => new CompletionChoice
        {
            Index = i,
            Text = echoPrefixes[i] + c.Text,
            Logprobs = withLogprobs ? Logprobs(c.Logprobs, echoPrefixes[i].Length) : null,
            FinishReason = WireValues.FinishReason(c.FinishReason) ?? "stop",
        }).ToList(),
        Usage = WireValues.Usage(usage),
    };

    /// <param name="textOffset">Characters of this choice's text already sent (for text_offset).</param>
    public static CompletionChunk TextChunk(ChatResponseMapper.Header h, int index, GenerationUpdate update, bool withLogprobs, int textOffset) =>
        Chunk(h, new CompletionChoice
        {
            Index = index,
            Text = update.Text,
            Logprobs = withLogprobs ? Logprobs(update.Logprobs ?? [], textOffset) : null,
            FinishReason = null,
        });

    public static CompletionChunk FinishChunk(ChatResponseMapper.Header h, int index, FinishReason reason) =>
        Chunk(h, new CompletionChoice { Index = index, Text = "", FinishReason = WireValues.FinishReason(reason) });

    public static CompletionChunk UsageChunk(ChatResponseMapper.Header h, Usage usage) => new()
    {
        Id = h.Id,
        Created = h.Created,
        Model = h.Model,
        Choices = [],
        Usage = new ChunkUsage(WireValues.Usage(usage)),
    };

    /// <summary>Legacy logprobs; text_offset counts UTF-16 characters from the start of the choice text.</summary>
    public static CompletionLogprobs Logprobs(IReadOnlyList<TokenLogprob> tokens, int startOffset)
    {
        var offsets = new List<int>(tokens.Count);
        var offset = startOffset;
        foreach (var t in tokens)
        {
            offsets.Add(offset);
            offset += t.Token.Length;
        }

        return new CompletionLogprobs
        {
            Tokens = tokens.Select(t => t.Token).ToList(),
            TokenLogprobs = tokens.Select(t => (double)t.Logprob).ToList(),
            TopLogprobs = tokens.Select(t =>
            {
                var map = new Dictionary<string, double>();
                foreach (var alt in t.TopLogprobs)
                {
                    map.TryAdd(alt.Token, alt.Logprob);
                }

                return map;
            }).ToList(),
            TextOffset = offsets,
        };
    }

    private static CompletionChunk Chunk(ChatResponseMapper.Header h, CompletionChoice choice) => new()
    {
        Id = h.Id,
        Created = h.Created,
        Model = h.Model,
        Choices = [choice],
        Usage = h.IncludeUsage ? ChunkUsage.Null : null,
    };
}
