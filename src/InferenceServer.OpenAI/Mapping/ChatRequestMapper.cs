using InferenceServer.Core.Generation;
using InferenceServer.OpenAI.Protocol;

namespace InferenceServer.OpenAI.Mapping;

/// <summary>A validated chat request to engine inputs.</summary>
public static class ChatRequestMapper
{
    /// <summary>Text parts of an array content are joined with a newline (as vLLM does).</summary>
    public const string PartSeparator = "\n";

    /// <summary>The conversation as the chat template sees it; "developer" becomes "system" (templates know no
    /// developer role).</summary>
    public static IReadOnlyList<ChatMessage> ToMessages(ChatCompletionRequest request) =>
        request.Messages!.Select(m => new ChatMessage(m!.Role == "developer" ? "system" : m.Role!, ContentText(m.Content))).ToList();

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
        var n = request.N ?? 1;
        var fields = SamplingFields(request) with { Grammar = grammar };
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
