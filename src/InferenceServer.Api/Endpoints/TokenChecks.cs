using InferenceServer.Core.Errors;
using InferenceServer.OpenAI.Mapping;

namespace InferenceServer.Api.Endpoints;

/// <summary>Checks that need the model's vocabulary.</summary>
internal static class TokenChecks
{
    public static void LogitBias(Dictionary<string, double>? bias, int vocabSize)
    {
        foreach (var token in SamplingMapper.MapLogitBias(bias).Keys)
        {
            if (token >= vocabSize)
            {
                throw InferenceException.Invalid($"Invalid key in 'logit_bias': {token} is not a token id of this model (vocabulary size {vocabSize}).", "logit_bias");
            }
        }
    }

    public static void TokenIds(IEnumerable<int> tokens, int vocabSize, string param)
    {
        foreach (var token in tokens)
        {
            if (token < 0 || token >= vocabSize)
            {
                throw InferenceException.Invalid($"Invalid token id {token} in '{param}': expected a value in [0, {vocabSize}).", param);
            }
        }
    }
}
