using InferenceServer.Core.Generation;

namespace InferenceServer.Core.Diagnostics;

/// <summary>How one API request ended; the HTTP layer reports it once per request (n&gt;1 choices summed).</summary>
/// <param name="Operation">chat or text_completion (OpenTelemetry gen_ai.operation.name).</param>
/// <param name="RequestedModel">The "model" the client sent.</param>
/// <param name="Duration">Request start to last byte.</param>
/// <param name="Timings">The engine's timings of the first choice, when generation ran.</param>
/// <param name="ErrorType">Null on success; else a short error class (e.g. "invalid_request_error", "cancelled").</param>
public sealed record RequestOutcome(
    GenerationOperation Operation,
    string RequestedModel,
    bool Streaming,
    TimeSpan Duration,
    Usage? Usage,
    GenerationTimings? Timings,
    FinishReason? FinishReason,
    string? ErrorType);

/// <summary>Request-level metrics sink (implemented with System.Diagnostics.Metrics by the observability layer).</summary>
public interface IRequestMetrics
{
    void Record(RequestOutcome outcome);
}

/// <summary>Records nothing (tests, tools).</summary>
public sealed class NullRequestMetrics : IRequestMetrics
{
    public void Record(RequestOutcome outcome)
    {
    }
}
