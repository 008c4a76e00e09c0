using InferenceServer.Core.Diagnostics;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;
using InferenceServer.OpenAI.Mapping;

namespace InferenceServer.Api.Endpoints;

/// <summary>Reports one request's outcome to <see cref="IRequestMetrics"/> exactly once.</summary>
internal sealed class RequestRecorder(IRequestMetrics metrics, TimeProvider time, GenerationOperation operation, bool streaming)
{
    private readonly long _start = time.GetTimestamp();
    private bool _recorded;

    public string RequestedModel { get; set; } = "";

    public void Success(Usage usage, GenerationTimings? timings, FinishReason? finishReason) =>
        Record(usage, timings, finishReason, null);

    public void Failure(Exception exception, bool clientGone) =>
        Record(null, null, null, clientGone ? "cancelled" : exception is InferenceException ie ? ErrorMapper.ErrorType(ie) : "server_error");

    private void Record(Usage? usage, GenerationTimings? timings, FinishReason? finishReason, string? errorType)
    {
        if (_recorded)
        {
            return;
        }

        _recorded = true;
        metrics.Record(new RequestOutcome(operation, RequestedModel, streaming, time.GetElapsedTime(_start), usage, timings, finishReason, errorType));
    }
}
