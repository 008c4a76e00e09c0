using System.Diagnostics;
using InferenceServer.Core.Engine;
using InferenceServer.Core.Generation;
using InferenceServer.Core.Options;
using InferenceServer.LlamaSharp;
using Microsoft.Extensions.Logging.Abstractions;
using Options = Microsoft.Extensions.Options.Options;

namespace InferenceServer.Bench;

/// <summary>The engine driven directly (no HTTP, no JSON): the baseline the server is compared with.</summary>
internal sealed class InProcessBench : IAsyncDisposable
{
    private readonly InferenceEngine _engine;

    private InProcessBench(InferenceEngine engine) => _engine = engine;

    public static InProcessBench Start(ModelOptions model, EngineOptions engineOptions)
    {
        var factory = new LlamaSharpBackendFactory(Options.Create(model), Options.Create(engineOptions), NullLoggerFactory.Instance);
        var engine = new InferenceEngine(Options.Create(engineOptions), TimeProvider.System);
        engine.Attach(factory.Create(CancellationToken.None));
        return new InProcessBench(engine);
    }

    /// <param name="grammar">Constrains the output (then end-of-generation stays allowed where the grammar is
    /// complete); null: free greedy text with end-of-generation ignored.</param>
    public async Task<StreamResult> RunStreamAsync(int stream, int maxTokens, GrammarConstraint? grammar = null)
    {
        var prompt = _engine.Tokenizer.Tokenize(BenchWorkload.Prompt(stream), addSpecial: true, parseSpecial: false);
        var request = new GenerationRequest
        {
            RequestId = $"bench-{stream}-{Guid.NewGuid():N}",
            PromptTokens = prompt,
            MaxTokens = maxTokens,
            Sampling = new SamplingParameters { Temperature = 0, IgnoreEos = grammar is null, Grammar = grammar },
            Operation = GenerationOperation.TextCompletion,
        };
        var started = Now();
        double first = 0, last = 0;
        var tokens = 0;
        await foreach (var update in _engine.Generate(request, CancellationToken.None))
        {
            if (update.Text.Length > 0)
            {
                last = Now();
                if (first == 0)
                {
                    first = last;
                }
            }
            if (update.Usage is { } usage)
            {
                tokens = usage.CompletionTokens;
            }
        }
        return new StreamResult(tokens, started, first, last);
    }

    public ValueTask DisposeAsync()
    {
        _engine.Dispose();
        return ValueTask.CompletedTask;
    }

    private static double Now() => Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
}
