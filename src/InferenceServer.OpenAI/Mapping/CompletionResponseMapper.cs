using InferenceServer.Core.Generation;
using InferenceServer.OpenAI.Protocol;

namespace InferenceServer.OpenAI.Mapping;

/// <summary>Engine output to text_completion objects (responses and stream chunks).</summary>
public static class CompletionResponseMapper
{
    /// <param name="firstPromptTokens">With echo and logprobs: the text of each choice's first prompt token (the
    /// one entry of the prompt's logprobs that is null).</param>
    public static CompletionResponse ToResponse(ChatResponseMapper.Header h, IReadOnlyList<ChoiceAccumulator> choices, IReadOnlyList<string> echoPrefixes, bool withLogprobs, Usage usage, IReadOnlyList<string>? firstPromptTokens = null) => new()
    {
        Id = h.Id,
        Created = h.Created,
        Model = h.Model,
        Choices = choices.Select((c, i) => new CompletionChoice
        {
            Index = i,
            Text = echoPrefixes[i] + c.Text,
            Logprobs = !withLogprobs ? null
                : c.PromptLogprobs is { } prompt && firstPromptTokens is not null ? EchoLogprobs(prompt, firstPromptTokens[i], c.Logprobs)
                : Logprobs(c.Logprobs, echoPrefixes[i].Length),
            FinishReason = WireValues.FinishReason(c.FinishReason) ?? "stop",
            CumulativeLogprob = c.CumulativeLogprob,
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
            TokenLogprobs = tokens.Select(t => (double?)t.Logprob).ToList(),
            TopLogprobs = tokens.Select(t => (Dictionary<string, double>?)TopMap(t)).ToList(),
            TextOffset = offsets,
        };
    }

    /// <summary>Prompt tokens (first with null logprob and alternatives) followed by the generated ones; text_offset
    /// runs over the echoed prompt tokens, then the completion.</summary>
    public static CompletionLogprobs EchoLogprobs(IReadOnlyList<TokenLogprob?> prompt, string firstToken, IReadOnlyList<TokenLogprob> generated)
    {
        var tokens = new List<string>(prompt.Count + generated.Count);
        var values = new List<double?>(tokens.Capacity);
        var tops = new List<Dictionary<string, double>?>(tokens.Capacity);
        foreach (var entry in prompt)
        {
            tokens.Add(entry?.Token ?? firstToken);
            values.Add(entry?.Logprob);
            tops.Add(entry is null ? null : TopMap(entry));
        }

        var offset = tokens.Sum(t => t.Length);
        var rest = Logprobs(generated, offset);
        var offsets = new List<int>(tokens.Capacity);
        var position = 0;
        foreach (var token in tokens)
        {
            offsets.Add(position);
            position += token.Length;
        }

        return new CompletionLogprobs
        {
            Tokens = [.. tokens, .. rest.Tokens],
            TokenLogprobs = [.. values, .. rest.TokenLogprobs],
            TopLogprobs = [.. tops, .. rest.TopLogprobs],
            TextOffset = [.. offsets, .. rest.TextOffset],
        };
    }

    private static Dictionary<string, double> TopMap(TokenLogprob token)
    {
        var map = new Dictionary<string, double>();
        foreach (var alt in token.TopLogprobs)
        {
            map.TryAdd(alt.Token, alt.Logprob);
        }

        return map;
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
