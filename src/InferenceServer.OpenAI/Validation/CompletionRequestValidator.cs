using InferenceServer.Core.Errors;
using InferenceServer.OpenAI.Protocol;

namespace InferenceServer.OpenAI.Validation;

/// <summary>Checks a legacy completions request. Throws <see cref="InferenceException"/> (InvalidRequest).</summary>
public static class CompletionRequestValidator
{
    public static void Validate(CompletionRequest request)
    {
        ParamChecks.Model(request.Model);
        Mapping.ResponseFormatMapper.Validate(request.ResponseFormat);
        if (request.Prompt is null)
        {
            throw InferenceException.Invalid("Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter");
        }

        if (request.Prompt.Count == 0)
        {
            throw InferenceException.Invalid("Invalid 'prompt': empty array. Expected an array with minimum length 1, but got an empty array instead.", "prompt", "empty_array");
        }

        if (request.Prompt.TokenLists is { } lists && lists.Any(l => l.Count == 0))
        {
            throw InferenceException.Invalid("Invalid 'prompt': token arrays must not be empty.", "prompt", "empty_array");
        }

        ParamChecks.Sampling(request.Temperature, request.TopP, request.PresencePenalty, request.FrequencyPenalty, request.N, request.TopK, request.MinP, request.RepetitionPenalty);
        // 0 decodes the prompt only: with echo and logprobs that scores it (OpenAI's legacy prompt scoring).
        ParamChecks.Range(request.MaxTokens, 0, int.MaxValue, "max_tokens");
        ParamChecks.Stop(request.Stop);
        ParamChecks.LogitBias(request.LogitBias);
        ParamChecks.Range(request.Logprobs, 0, 5, "logprobs");
        ParamChecks.StreamOptions(request.Stream, request.StreamOptions);
        ParamChecks.BeamSearch(request.UseBeamSearch, request.BeamWidth, request.LengthPenalty, request.N, request.Stream);
        if (request.Prompt.Count * (request.N ?? 1) > ParamChecks.MaxN)
        {
            throw InferenceException.Invalid($"Too many choices: {request.Prompt.Count} prompts x n={request.N ?? 1} exceeds {ParamChecks.MaxN}.", "n");
        }

        if (request.BestOf is { } bestOf)
        {
            ParamChecks.Range(bestOf, 1, 20, "best_of");
            if (bestOf < (request.N ?? 1))
            {
                throw InferenceException.Invalid("best_of must be greater than or equal to n.", "best_of");
            }

            if (bestOf > (request.N ?? 1))
            {
                throw ParamChecks.Unsupported("best_of greater than n", "best_of");
            }
        }

        if (!string.IsNullOrEmpty(request.Suffix))
        {
            throw ParamChecks.Unsupported("suffix (insertion)", "suffix");
        }

        if (request.Echo == true && request.Stream == true)
        {
            throw ParamChecks.Unsupported("echo with stream", "echo");
        }

    }
}
