using InferenceServer.Core.Engine;
using InferenceServer.Core.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace InferenceServer.LlamaSharp.Tests.Fixtures;

internal static class TestBackends
{
    /// <summary>A backend with tiny, single-threaded settings (context 512, batch 512, 4 sequences).</summary>
    public static IModelBackend Create(string path, Action<ModelOptions>? configure = null, int maxSequences = 4,
        ILoggerFactory? loggerFactory = null)
        => Factory(path, configure, maxSequences, loggerFactory).Create(CancellationToken.None);

    public static LlamaSharpBackendFactory Factory(string path, Action<ModelOptions>? configure = null, int maxSequences = 4,
        ILoggerFactory? loggerFactory = null)
    {
        var model = new ModelOptions { Path = path, ContextSize = 512, BatchSize = 512, MicroBatchSize = 512, Threads = 1 };
        configure?.Invoke(model);
        var engine = new EngineOptions { MaxSequences = maxSequences };
        return new LlamaSharpBackendFactory(Options.Create(model), Options.Create(engine), loggerFactory ?? NullLoggerFactory.Instance);
    }

    /// <summary>Decodes <paramref name="tokens"/> into one sequence from position 0, asking for the last logits.</summary>
    public static DecodeStatus Prefill(this IModelBackend backend, IReadOnlyList<int> tokens, int sequenceId, int startPosition = 0)
    {
        var batch = new BatchToken[tokens.Count];
        for (var i = 0; i < tokens.Count; i++)
        {
            batch[i] = new BatchToken(tokens[i], startPosition + i, sequenceId, i == tokens.Count - 1);
        }

        return backend.Decode(batch);
    }

    public static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best]) best = i;
        }

        return best;
    }
}
