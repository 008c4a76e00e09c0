using InferenceServer.Core.Errors;
using InferenceServer.OpenAI.Protocol;

namespace InferenceServer.OpenAI.Validation;

/// <summary>Checks a /v1/score request. Throws <see cref="InferenceException"/> (InvalidRequest).</summary>
public static class ScoreRequestValidator
{
    public const int MaxInputs = 2048;

    public static void Validate(ScoreRequest request)
    {
        ParamChecks.Model(request.Model);
        ParamChecks.Inputs(request.Input, "input", MaxInputs);
        ParamChecks.Range(request.Window, 2, int.MaxValue, "window");
        ParamChecks.Range(request.Stride, 1, int.MaxValue, "stride");
    }

    /// <summary>The window and stride to use: defaults are the model's longest sequence and half of it.</summary>
    public static (int Window, int Stride) WindowAndStride(ScoreRequest request, int maxSequenceLength)
    {
        int window = request.Window ?? maxSequenceLength;
        if (window > maxSequenceLength)
        {
            throw InferenceException.Invalid($"Invalid 'window': {window}. This model's longest sequence is {maxSequenceLength} tokens.", "window", "invalid_value");
        }

        int stride = request.Stride ?? Math.Max(1, window / 2);
        if (stride >= window)
        {
            throw InferenceException.Invalid($"Invalid 'stride': {stride}. It must be smaller than the window ({window}) so that windows overlap and every token is scored.", "stride", "invalid_value");
        }

        return (window, stride);
    }
}
