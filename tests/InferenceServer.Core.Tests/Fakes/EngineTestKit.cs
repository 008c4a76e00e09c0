using InferenceServer.Core.Engine;
using InferenceServer.Core.Generation;
using InferenceServer.Core.Options;

namespace InferenceServer.Core.Tests.Fakes;

public sealed record StreamResult(string Text, IReadOnlyList<GenerationUpdate> Updates, GenerationUpdate Final)
{
    public IReadOnlyList<TokenLogprob> Logprobs => Updates.SelectMany(u => u.Logprobs ?? []).ToList();
}

public static class EngineTestKit
{
    public static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(20);

    /// <summary>An engine over the fake backend; the prefix cache is off unless asked for, so tests of slot and cell
    /// release see every cell freed when a sequence ends.</summary>
    public static InferenceEngine Start(FakeModelBackend backend, int maxSequences = 8, int queueCapacity = 64, int maxPrefillChunk = 512,
        bool prefixCache = false, Action<EngineOptions>? configure = null)
    {
        var options = new EngineOptions
        {
            MaxSequences = maxSequences,
            QueueCapacity = queueCapacity,
            MaxPrefillChunk = maxPrefillChunk,
            PrefixCache = prefixCache,
        };
        configure?.Invoke(options);
        var engine = new InferenceEngine(Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System);
        engine.Attach(backend);
        return engine;
    }

    private static int _ids;

    public static GenerationRequest Request(string prompt, int? maxTokens = null, IReadOnlyList<string>? stop = null, int? topLogprobs = null) =>
        Request(new FakeTokenizer().Tokenize(prompt, true, false), maxTokens, stop, topLogprobs);

    public static GenerationRequest Request(IReadOnlyList<int> prompt, int? maxTokens = null, IReadOnlyList<string>? stop = null, int? topLogprobs = null) => new()
    {
        RequestId = "req-" + Interlocked.Increment(ref _ids),
        PromptTokens = prompt,
        MaxTokens = maxTokens,
        StopSequences = stop ?? [],
        TopLogprobs = topLogprobs,
        Sampling = new SamplingParameters { Temperature = 0 },
    };

    public static async Task<StreamResult> Collect(IAsyncEnumerable<GenerationUpdate> stream)
    {
        var updates = new List<GenerationUpdate>();
        using var timeout = new CancellationTokenSource(TestTimeout);
        await foreach (GenerationUpdate update in stream.WithCancellation(timeout.Token))
        {
            updates.Add(update);
        }

        Assert.NotEmpty(updates);
        GenerationUpdate final = updates[^1];
        Assert.True(final.IsFinal, "the last update carries the finish reason");
        Assert.All(updates.Take(updates.Count - 1), u => Assert.False(u.IsFinal));
        return new StreamResult(string.Concat(updates.Select(u => u.Text)), updates, final);
    }

    public static Task<StreamResult> Run(IInferenceEngine engine, GenerationRequest request, CancellationToken ct = default) =>
        Collect(engine.Generate(request, ct));

    /// <summary>Waits (bounded) until the snapshot satisfies a condition; the loop publishes after every step.</summary>
    public static async Task WaitFor(IInferenceEngine engine, Func<EngineSnapshot, bool> condition)
    {
        DateTime deadline = DateTime.UtcNow + TestTimeout;
        while (!condition(engine.GetSnapshot()))
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Delay(5);
        }
    }

    /// <summary>Blocks the loop thread inside decode number <paramref name="atDecode"/> until released.</summary>
    public sealed class DecodeGate : IDisposable
    {
        private readonly ManualResetEventSlim _reached = new();
        private readonly ManualResetEventSlim _release = new();

        public DecodeGate(FakeModelBackend backend, int atDecode)
        {
            backend.OnDecode = (index, _) =>
            {
                if (index == atDecode)
                {
                    _reached.Set();
                    _release.Wait(TestTimeout);
                }
            };
        }

        public void WaitReached() => Assert.True(_reached.Wait(TestTimeout), "the loop reached the gated decode");
        public void Release() => _release.Set();

        public void Dispose()
        {
            _release.Set();
        }
    }
}
