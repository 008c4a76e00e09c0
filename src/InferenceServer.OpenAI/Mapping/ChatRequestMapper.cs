using InferenceServer.Core.Generation;
using InferenceServer.OpenAI.Protocol;

namespace InferenceServer.OpenAI.Mapping;

/// <summary>A validated chat request to engine inputs.</summary>
public static class ChatRequestMapper
{
    /// <summary>Text parts of an array content are joined with a newline (as vLLM does).</summary>
    public const string PartSeparator = "\n";

    /// <summary>The conversation as the chat template sees it; "developer" becomes "system" (most templates know no
    /// developer role); text parts are joined; assistant tool calls, tool-call ids and names are kept.</summary>
    public static IReadOnlyList<ChatMessage> ToMessages(ChatCompletionRequest request) =>
        request.Messages!.Select((m, i) => new ChatMessage(m!.Role == "developer" ? "system" : m.Role!, m.Content is null ? null : ContentText(m.Content))
        {
            ToolCalls = ToolJson.ToCalls(m.ToolCalls, $"messages[{i}].tool_calls"),
            ToolCallId = m.ToolCallId,
            Name = m.Name,
            ReasoningContent = m.ReasoningContent,
        }).ToList();

    /// <summary>What the chat template renders: the (possibly prompt-templated) <paramref name="messages"/>, the
    /// request's tools and its <c>chat_template_kwargs</c>, with the assistant's turn opened.</summary>
    public static ChatTemplateInput ToTemplateInput(ChatCompletionRequest request, IReadOnlyList<ChatMessage> messages) =>
        new(messages)
        {
            Tools = ToolJson.ToDefinitions(request.Tools),
            AddGenerationPrompt = true,
            Kwargs = request.ChatTemplateKwargs,
        };

    public static string ContentText(MessageContent? content) =>
        content switch
        {
            null => "",
            { Parts: { } parts } => string.Join(PartSeparator, parts.Where(p => p.Type == "text").Select(p => p.Text)),
            _ => content.Text ?? "",
        };

    /// <summary>max_completion_tokens wins over the deprecated max_tokens; null = until the context is full.</summary>
    public static int? MaxTokens(ChatCompletionRequest request) => request.MaxCompletionTokens ?? request.MaxTokens;

    /// <summary>Null: no logprobs; else how many alternatives per token.</summary>
    public static int? TopLogprobs(ChatCompletionRequest request) => request.Logprobs == true ? request.TopLogprobs ?? 0 : null;

    public static SamplingMapper.Fields SamplingFields(ChatCompletionRequest r) =>
        new(r.Temperature, r.TopP, r.PresencePenalty, r.FrequencyPenalty, r.LogitBias, r.Seed, r.TopK, r.MinP, r.RepetitionPenalty, r.IgnoreEos);

    /// <summary>One engine request per choice (n of them).</summary>
    /// <param name="grammar">The output constraint (tool calls, response_format); null: free text.</param>
    public static IReadOnlyList<GenerationRequest> ToGenerationRequests(ChatCompletionRequest request, IReadOnlyList<int> promptTokens, string responseId,
        GrammarConstraint? grammar = null)
    {
        var fields = SamplingFields(request) with { Grammar = grammar };
        if (BeamSearchMapper.Map(request.UseBeamSearch, request.BeamWidth, request.LengthPenalty, request.N) is { } beam)
        {
            // One engine request runs all beams; its final update carries the n best.
            return [new GenerationRequest
            {
                RequestId = responseId,
                PromptTokens = promptTokens,
                Sampling = SamplingMapper.Map(fields, 0),
                MaxTokens = MaxTokens(request),
                StopSequences = request.Stop ?? [],
                TopLogprobs = TopLogprobs(request),
                BeamSearch = beam,
                Operation = GenerationOperation.Chat,
                RequestedModel = request.Model,
            }];
        }

        var n = request.N ?? 1;
        var result = new GenerationRequest[n];
        for (var i = 0; i < n; i++)
        {
            result[i] = new GenerationRequest
            {
                RequestId = n == 1 ? responseId : $"{responseId}-{i}",
                PromptTokens = promptTokens,
                Sampling = SamplingMapper.Map(fields, i),
                MaxTokens = MaxTokens(request),
                StopSequences = request.Stop ?? [],
                TopLogprobs = TopLogprobs(request),
                Operation = GenerationOperation.Chat,
                RequestedModel = request.Model,
            };
        }

        return result;
    }
}
