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
        if (request.Input is null)
        {
            throw InferenceException.Invalid("Missing required parameter: 'input'.", "input", "missing_required_parameter");
        }

        if (request.Input.Count == 0)
        {
            throw InferenceException.Invalid("Invalid 'input': empty array. Expected an array with minimum length 1, but got an empty array instead.", "input", "empty_array");
        }

        if (request.Input.Count > MaxInputs)
        {
            throw InferenceException.Invalid($"Invalid 'input': array too long. Expected an array with maximum length {MaxInputs}, but got an array with length {request.Input.Count} instead.", "input", "array_above_max_length");
        }

        if (request.Input.Texts is { } texts && texts.Any(string.IsNullOrEmpty))
        {
            throw InferenceException.Invalid("Invalid 'input': empty string. Expected a non-empty string.", "input", "empty_string");
        }

        if (request.Input.TokenLists is { } lists && lists.Any(l => l.Count == 0))
        {
            throw InferenceException.Invalid("Invalid 'input': token arrays must not be empty.", "input", "empty_array");
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
