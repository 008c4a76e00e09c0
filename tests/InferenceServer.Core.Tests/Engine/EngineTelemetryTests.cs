using System.Collections.Concurrent;
using System.Diagnostics;
using InferenceServer.Core.Diagnostics;
using InferenceServer.Core.Tests.Fakes;
using static InferenceServer.Core.Tests.Fakes.EngineTestKit;

namespace InferenceServer.Core.Tests.Engine;

public class EngineTelemetryTests
{
    [Fact]
    public async Task Queue_prefill_and_decode_spans_are_children_of_the_request_activity()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == EngineTelemetry.ActivitySourceName || source.Name == "test.request",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name == EngineTelemetry.ActivitySourceName)
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var requestSource = new ActivitySource("test.request");

        var backend = new FakeModelBackend();
        var threadCurrent = new ConcurrentBag<Activity?>();
        backend.OnDecode = (_, _) => threadCurrent.Add(Activity.Current);
        using var engine = Start(backend);
        var request = Request("abc", 4);
        ActivityTraceId traceId;
        Task<StreamResult> run;
        using (Activity parent = requestSource.StartActivity("POST /v1/chat/completions")!)
        {
            traceId = parent.TraceId;
            run = Run(engine, request);
        }

        await run;
        await engine.WaitForIdleAsync(CancellationToken.None);
        var mine = spans.Where(a => a.TraceId == traceId).ToList();
        Assert.Equal(["gen_ai.queue", "gen_ai.prefill", "gen_ai.decode"], mine.Select(a => a.OperationName));
        Assert.All(mine, a => Assert.Equal(request.RequestId, a.GetTagItem("gen_ai.request.id")));
        Assert.Equal(4, mine[2].GetTagItem("gen_ai.usage.output_tokens"));
        Assert.All(threadCurrent, Assert.Null); // the loop thread never runs with an ambient Activity
    }
}
