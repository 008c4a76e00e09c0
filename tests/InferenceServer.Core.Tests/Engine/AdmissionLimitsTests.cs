using InferenceServer.Core.Engine;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;
using InferenceServer.Core.Options;
using InferenceServer.Core.Tests.Fakes;
using static InferenceServer.Core.Tests.Fakes.EngineTestKit;

namespace InferenceServer.Core.Tests.Engine;

/// <summary>Admission counted in sequences (a request with n choices takes n places, all or none) and the
/// per-sequence output buffer that bounds what a reader that stopped reading can make the server hold.</summary>
public sealed class AdmissionLimitsTests
{
    [Fact]
    public void More_sequences_than_the_engine_can_ever_hold_is_a_400_naming_n()
    {
        var backend = new FakeModelBackend();
        using var engine = Start(backend, maxSequences: 4, queueCapacity: 2);
        var requests = Enumerable.Range(0, 7).Select(_ => Request("a", 3)).ToList();
        var ex = Assert.Throws<InferenceException>(() => engine.GenerateAll(requests, CancellationToken.None));
        Assert.Equal(InferenceErrorKind.InvalidRequest, ex.Kind);
        Assert.Equal("n", ex.Param);
        Assert.Equal(0, engine.InFlight);
    }

    [Fact]
    public async Task A_request_is_admitted_whole_or_refused_whole_and_a_refusal_takes_no_place()
    {
        var backend = new FakeModelBackend();
        using var gate = new DecodeGate(backend, atDecode: 0);
        using var engine = Start(backend, maxSequences: 3, queueCapacity: 1);
        var first = engine.GenerateAll([Request("a", 3), Request("b", 3), Request("c", 3)], CancellationToken.None);
        Assert.Equal(3, engine.InFlight);

        // Two more places would be needed, one is free: refused, and the free place stays free for others.
        var ex = Assert.Throws<InferenceException>(() => engine.GenerateAll([Request("d", 3), Request("e", 3)], CancellationToken.None));
        Assert.Equal(InferenceErrorKind.QueueFull, ex.Kind);
        Assert.Equal(3, engine.InFlight);
        var single = Collect(engine.Generate(Request("f", 3), CancellationToken.None));
        Assert.Equal(4, engine.InFlight);

        gate.Release();
        foreach (var stream in first)
        {
            Assert.Equal(FinishReason.Length, (await Collect(stream)).Final.FinishReason);
        }

        await single;
        await WaitFor(engine, s => s.Running == 0);
        Assert.Equal(0, engine.InFlight);
    }

    [Fact]
    public async Task A_reader_that_stops_reading_loses_its_sequence_once_the_output_buffer_is_full()
    {
        var backend = new FakeModelBackend(contextSize: 4096);
        using var engine = new InferenceEngine(Microsoft.Extensions.Options.Options.Create(new EngineOptions
        {
            MaxSequences = 2,
            OutputBufferUpdates = 64,
        }), TimeProvider.System);
        engine.Attach(backend);

        var request = Request("a", 2000);
        await using var stalled = engine.Generate(request, CancellationToken.None).GetAsyncEnumerator();
        Assert.True(await stalled.MoveNextAsync()); // read one update, then stop reading

        await WaitFor(engine, s => s.Running == 0 && s.TokensGenerated > 0);
        Assert.InRange(engine.GetSnapshot().TokensGenerated, 1, 200); // cancelled near the buffer size, far from 2000
        Assert.Equal(0, engine.InFlight);

        // What was buffered can still be read, then the stream ends with the overflow error instead of a final update.
        var ex = await Assert.ThrowsAsync<InferenceException>(async () =>
        {
            while (await stalled.MoveNextAsync())
            {
            }
        });
        Assert.Equal("output_buffer_full", ex.Code);
    }
}
