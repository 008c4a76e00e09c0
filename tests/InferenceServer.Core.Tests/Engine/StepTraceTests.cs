using System.Collections.Concurrent;
using InferenceServer.Core.Engine;
using InferenceServer.Core.Options;
using InferenceServer.Core.Tests.Fakes;
using Microsoft.Extensions.Logging;
using static InferenceServer.Core.Tests.Fakes.EngineTestKit;

namespace InferenceServer.Core.Tests.Engine;

/// <summary>Event 1031: one Trace line per decode step, to see where a slow token's time went.</summary>
public class StepTraceTests
{
    [Fact]
    public async Task Each_step_is_traced_with_its_tokens_and_sequences_when_trace_is_on()
    {
        TraceLogger logger = await RunOneRequest(LogLevel.Trace);

        var steps = logger.Entries.Where(e => e.EventId == 1031).Select(e => e.Message).ToList();
        // The prompt (4 tokens, logits for the first generated one), then one step per further token.
        Assert.Equal(3, steps.Count);
        Assert.StartsWith("Step 1: 4 tokens for 1 sequences (0 generating); schedule ", steps[0]);
        Assert.StartsWith("Step 2: 1 tokens for 1 sequences (1 generating)", steps[1]);
        Assert.Contains(" ms, decode ", steps[2]);
    }

    [Fact]
    public async Task Nothing_is_traced_below_trace_level()
    {
        TraceLogger logger = await RunOneRequest(LogLevel.Debug);

        Assert.DoesNotContain(logger.Entries, e => e.EventId == 1031);
    }

    /// <summary>One 4-token prompt generating 3 tokens, logged at <paramref name="minimum"/> and above.</summary>
    private static async Task<TraceLogger> RunOneRequest(LogLevel minimum)
    {
        var logger = new TraceLogger(minimum);
        using var engine = new InferenceEngine(Microsoft.Extensions.Options.Options.Create(new EngineOptions { MaxSequences = 2 }), TimeProvider.System, logger);
        engine.Attach(new FakeModelBackend(contextSize: 256));
        await Run(engine, Request("abcd", 3));
        return logger;
    }

    private sealed class TraceLogger(LogLevel minimum) : ILogger<InferenceEngine>
    {
        public ConcurrentQueue<(int EventId, string Message)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Entries.Enqueue((eventId.Id, formatter(state, exception)));
            }
        }
    }
}
