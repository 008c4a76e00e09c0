using InferenceServer.Core.Generation;
using InferenceServer.OpenAI.Protocol;

namespace InferenceServer.OpenAI.Mapping;

/// <summary>A validated legacy completions request to engine inputs.</summary>
public static class CompletionRequestMapper
{
    /// <summary>OpenAI's default for /v1/completions.</summary>
    public const int DefaultMaxTokens = 16;

    public static int MaxTokens(CompletionRequest request) => request.MaxTokens ?? DefaultMaxTokens;

    public static SamplingMapper.Fields SamplingFields(CompletionRequest r) =>
        new(r.Temperature, r.TopP, r.PresencePenalty, r.FrequencyPenalty, r.LogitBias, r.Seed, r.TopK, r.MinP, r.RepetitionPenalty, r.IgnoreEos);

    /// <summary>Choice index of prompt <paramref name="promptIndex"/>, sample <paramref name="sample"/>: prompt_i * n + j.</summary>
    public static int ChoiceIndex(int promptIndex, int sample, int n) => promptIndex * n + sample;

    /// <summary>One engine request per prompt x n, in choice-index order.</summary>
    public static IReadOnlyList<GenerationRequest> ToGenerationRequests(CompletionRequest request, IReadOnlyList<IReadOnlyList<int>> promptTokens, string responseId)
    {
        var beam = BeamSearchMapper.Map(request.UseBeamSearch, request.BeamWidth, request.LengthPenalty, request.N);
        var n = beam is null ? request.N ?? 1 : 1;
        var fields = SamplingFields(request) with { Grammar = ResponseFormatMapper.ToGrammar(request.ResponseFormat, request.IgnoreEos) };
        var result = new List<GenerationRequest>(promptTokens.Count * n);
        for (var p = 0; p < promptTokens.Count; p++)
        {
            for (var j = 0; j < n; j++)
            {
                var index = ChoiceIndex(p, j, n);
                result.Add(new GenerationRequest
                {
                    RequestId = promptTokens.Count * n == 1 ? responseId : $"{responseId}-{index}",
                    PromptTokens = promptTokens[p],
                    Sampling = SamplingMapper.Map(fields, j),
                    MaxTokens = MaxTokens(request),
                    StopSequences = request.Stop ?? [],
                    TopLogprobs = request.Logprobs,
                    PromptLogprobs = request.Echo == true ? request.Logprobs : null,
                    BeamSearch = beam,
                    Operation = GenerationOperation.TextCompletion,
                    RequestedModel = request.Model,
                });
            }
        }

        return result;
    }
}
