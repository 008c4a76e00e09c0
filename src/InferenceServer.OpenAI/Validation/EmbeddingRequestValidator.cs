using InferenceServer.Core.Errors;
using InferenceServer.OpenAI.Protocol;

namespace InferenceServer.OpenAI.Validation;

/// <summary>Checks an embeddings request (OpenAI's limits: at most 2048 inputs, no empty strings, encoding_format
/// float or base64, dimensions >= 1). Throws <see cref="InferenceException"/> (InvalidRequest).</summary>
public static class EmbeddingRequestValidator
{
    public const int MaxInputs = 2048;

    public static void Validate(EmbeddingRequest request)
    {
        ParamChecks.Model(request.Model);
        ParamChecks.Inputs(request.Input, "input", MaxInputs);
        if (request.Input!.Texts is { } texts && texts.Any(string.IsNullOrEmpty))
        {
            throw InferenceException.Invalid("Invalid 'input': empty string. Expected a non-empty string.", "input", "empty_string");
        }

        if (request.EncodingFormat is not (null or "float" or "base64"))
        {
            throw InferenceException.Invalid($"Invalid value for 'encoding_format': '{request.EncodingFormat}'. Supported values are: 'float' and 'base64'.", "encoding_format", "invalid_value");
        }

        ParamChecks.Range(request.Dimensions, 1, int.MaxValue, "dimensions");
    }

    /// <summary>The length of the returned vectors: the model's own, or a shorter one where the model allows it
    /// (Matryoshka models, <paramref name="allowShortened"/>); anything else is refused.</summary>
    public static int Dimensions(EmbeddingRequest request, int modelDimensions, bool allowShortened)
    {
        if (request.Dimensions is not { } requested || requested == modelDimensions)
        {
            return modelDimensions;
        }

        if (allowShortened && requested < modelDimensions)
        {
            return requested;
        }

        throw InferenceException.Invalid(allowShortened
                ? $"Invalid 'dimensions': {requested}. This model's embeddings have {modelDimensions} dimensions; ask for at most that many."
                : $"This model does not support specifying dimensions: its embeddings always have {modelDimensions} dimensions.",
            "dimensions", "unsupported_parameter");
    }
}
