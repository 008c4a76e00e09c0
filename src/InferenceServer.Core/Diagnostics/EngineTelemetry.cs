using System.Diagnostics;

namespace InferenceServer.Core.Diagnostics;

/// <summary>
/// Engine spans ("gen_ai.queue", "gen_ai.prefill", "gen_ai.decode") on the ActivitySource
/// <see cref="ActivitySourceName"/>, parented to the request's Activity captured at submission. They are created on
/// the loop thread after the fact with explicit timestamps, and never leave <see cref="Activity.Current"/> set there.
/// </summary>
public sealed class EngineTelemetry : IDisposable
{
    public const string ActivitySourceName = "InferenceServer.Engine";

    private readonly ActivitySource _source = new(ActivitySourceName);

    internal void RecordSpan(string name, ActivityContext parent, DateTimeOffset start, DateTimeOffset end,
        string requestId, int? inputTokens = null, int? outputTokens = null)
    {
        if (!_source.HasListeners())
        {
            return;
        }

        Activity? previous = Activity.Current;
        try
        {
            using Activity? activity = _source.CreateActivity(name, ActivityKind.Internal, parent);
            if (activity is null)
            {
                return;
            }

            activity.SetStartTime(start.UtcDateTime);
            activity.SetTag("gen_ai.request.id", requestId);
            if (inputTokens is { } input)
            {
                activity.SetTag("gen_ai.usage.input_tokens", input);
            }

            if (outputTokens is { } output)
            {
                activity.SetTag("gen_ai.usage.output_tokens", output);
            }

            activity.Start();
            activity.SetEndTime(end.UtcDateTime);
            activity.Stop();
        }
        finally
        {
            Activity.Current = previous;
        }
    }

    public void Dispose() => _source.Dispose();
}
