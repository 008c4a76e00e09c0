using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;
using InferenceServer.Core.Tests.Fakes;
using static InferenceServer.Core.Tests.Fakes.EngineTestKit;

namespace InferenceServer.Core.Tests.Engine;

/// <summary>What a failing sampler (a grammar dead end, a native error) does to its request and to the others.</summary>
public class SamplerFailureTests
{
    [Fact]
    public async Task A_sampler_refusing_with_a_request_error_fails_only_that_request_with_that_error()
    {
        var backend = new FakeModelBackend();
        using var engine = Start(backend, maxSequences: 2);
        backend.SampleFailure = InferenceException.Invalid("No token continues the required format.", "response_format", "grammar_failed");
        var failed = await Assert.ThrowsAsync<InferenceException>(() => Run(engine, Request("hello", 4)));
        Assert.Equal(InferenceErrorKind.InvalidRequest, failed.Kind);
        Assert.Equal("grammar_failed", failed.Code);

        backend.SampleFailure = new InvalidOperationException("native trouble");
        var internalFailure = await Assert.ThrowsAsync<InferenceException>(() => Run(engine, Request("hello", 4)));
        Assert.Equal(InferenceErrorKind.Internal, internalFailure.Kind);

        backend.SampleFailure = null;
        Assert.Equal(FinishReason.Length, (await Run(engine, Request("hello", 4))).Final.FinishReason);
    }
}
