using InferenceServer.Core.Engine;
using InferenceServer.TestKit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace InferenceServer.Api.Tests.RealEngine;

/// <summary>What a <see cref="RealEngineFactory"/> loads and how the engine is sized.</summary>
public sealed record RealEngineSettings(string ModelPath, string ModelId, int ContextSize = 1024, int MaxSequences = 4, int QueueCapacity = 16,
    bool PrefixCache = true);

/// <summary>
/// The full server (engine loop + LLamaSharp) on a TestKit model, loaded once per fixture. The parameterless
/// constructor loads the scripted model (greedy output is <see cref="TestModels.ScriptText"/>); subclasses pick others.
/// </summary>
public class RealEngineFactory : WebApplicationFactory<Program>
{
    public const string ModelId = "scripted";

    public RealEngineFactory()
        : this(new RealEngineSettings(TestModels.Scripted, ModelId))
    {
    }

    protected RealEngineFactory(RealEngineSettings settings) => Settings = settings;

    public RealEngineSettings Settings { get; }

    public IInferenceEngine Engine => Services.GetRequiredService<IInferenceEngine>();

    /// <summary>More configuration for subclasses (limits, security).</summary>
    protected virtual IReadOnlyDictionary<string, string?> MoreSettings { get; } = new Dictionary<string, string?>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseContentRoot(AppContext.BaseDirectory);
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Model:Path"] = Settings.ModelPath,
            ["Model:Id"] = Settings.ModelId,
            ["Model:ContextSize"] = Settings.ContextSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Model:BatchSize"] = "256",
            ["Model:MicroBatchSize"] = "256",
            ["Model:Threads"] = "1",
            ["Engine:MaxSequences"] = Settings.MaxSequences.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Engine:QueueCapacity"] = Settings.QueueCapacity.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Engine:PrefixCache"] = Settings.PrefixCache ? "true" : "false",
        }.Concat(MoreSettings)));
    }

    /// <summary>Starts the host and waits until the model is loaded.</summary>
    public async Task<HttpClient> ReadyClientAsync()
    {
        var client = CreateClient();
        var engine = Engine;
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!engine.IsReady)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The model {Settings.ModelId} did not load.");
            }

            await Task.Delay(50);
        }

        return client;
    }

    /// <summary>Polls the engine snapshot until nothing runs or waits and every slot is idle; fails after <paramref name="timeout"/>.</summary>
    public async Task<EngineSnapshot> WaitForIdleSlotsAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var snapshot = Engine.GetSnapshot();
            if (snapshot.Running == 0 && snapshot.Waiting == 0 && snapshot.Slots.All(s => s.State == SlotState.Idle))
            {
                return snapshot;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"The engine did not free its sequences within {timeout}: {snapshot}, slots {string.Join(", ", snapshot.Slots)}");
            }

            await Task.Delay(20);
        }
    }
}

/// <summary>The server on <see cref="TestModels.TinyRandom"/> (random weights, real attention), 8 sequences, context 2048.</summary>
public sealed class TinyRandomEngineFactory : RealEngineFactory
{
    public const string TinyModelId = "tiny-random";

    public TinyRandomEngineFactory()
        : base(new RealEngineSettings(TestModels.TinyRandom, TinyModelId, ContextSize: 2048, MaxSequences: 8, QueueCapacity: 32))
    {
    }
}

/// <summary>A second TinyRandom server with its own engine (snapshots are only meaningful when no other class shares it).</summary>
public sealed class IsolatedTinyRandomEngineFactory : RealEngineFactory
{
    public IsolatedTinyRandomEngineFactory()
        : base(new RealEngineSettings(TestModels.TinyRandom, TinyRandomEngineFactory.TinyModelId, ContextSize: 2048, MaxSequences: 4, QueueCapacity: 16))
    {
    }
}

/// <summary>
/// The server on <see cref="TestModels.SlowRandom"/> (milliseconds per token), 4 sequences, its own engine: a long
/// generation lasts seconds, so a test can cancel it in the middle however slowly the test host schedules the client
/// (TinyRandom writes 1,900 tokens in under a second, and a busy two-core CI run once let one finish first).
/// </summary>
public sealed class IsolatedSlowRandomEngineFactory : RealEngineFactory
{
    public const string SlowModelId = "slow-random";

    public IsolatedSlowRandomEngineFactory()
        : base(new RealEngineSettings(TestModels.SlowRandom, SlowModelId, ContextSize: 2048, MaxSequences: 4, QueueCapacity: 16))
    {
    }
}

/// <summary>The TinyRandom server with the prefix cache off: the reference for outputs with the cache on.</summary>
public sealed class TinyRandomNoCacheEngineFactory : RealEngineFactory
{
    public TinyRandomNoCacheEngineFactory()
        : base(new RealEngineSettings(TestModels.TinyRandom, TinyRandomEngineFactory.TinyModelId, ContextSize: 2048, MaxSequences: 4, QueueCapacity: 16,
            PrefixCache: false))
    {
    }
}

/// <summary>The TinyRandom server with one KV stream per slot (<c>Model:UnifiedKvCache=false</c>, llama-server's
/// layout): 2,048 cells over 8 slots, 256 per sequence.</summary>
public sealed class TinyRandomStreamsEngineFactory : RealEngineFactory
{
    public TinyRandomStreamsEngineFactory()
        : base(new RealEngineSettings(TestModels.TinyRandom, TinyRandomEngineFactory.TinyModelId, ContextSize: 2048, MaxSequences: 8, QueueCapacity: 32))
    {
    }

    protected override IReadOnlyDictionary<string, string?> MoreSettings { get; } = new Dictionary<string, string?> { ["Model:UnifiedKvCache"] = "false" };
}

/// <summary>The TinyRandom server with two slots: conversations outnumber slots, so the prefix cache's host-memory
/// tier holds the ones whose slots were taken.</summary>
public sealed class TinyRandomTwoSlotEngineFactory : RealEngineFactory
{
    public TinyRandomTwoSlotEngineFactory()
        : base(new RealEngineSettings(TestModels.TinyRandom, TinyRandomEngineFactory.TinyModelId, ContextSize: 2048, MaxSequences: 2, QueueCapacity: 16))
    {
    }
}
