using System.Diagnostics;
using InferenceServer.Core.Diagnostics;
using InferenceServer.Core.Embeddings;
using InferenceServer.Core.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InferenceServer.Core.Engine;

/// <summary>
/// Loads the model on a background thread after the host started (so /health answers 503 while loading), attaches
/// it to the <see cref="InferenceEngine"/>, and on stop halts the loop and disposes the backend. A load failure logs
/// one critical line, sets exit code 1 and stops the application. When embeddings are enabled it then builds the
/// separate embedding context over the same weights and attaches it to the <see cref="EmbeddingService"/> (a
/// failure there is logged and leaves /v1/embeddings unavailable; generation keeps running).
/// </summary>
public sealed class EngineHostedService : BackgroundService
{
    private readonly InferenceEngine _engine;
    private readonly IModelBackendFactory _factory;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ModelOptions _model;
    private readonly ILogger<EngineHostedService> _logger;
    private readonly EmbeddingService? _embeddings;
    private readonly IEmbeddingBackendFactory? _embeddingFactory;
    private IModelBackend? _backend;
    private IEmbeddingBackend? _embeddingBackend;

    public EngineHostedService(InferenceEngine engine, IModelBackendFactory factory, IHostApplicationLifetime lifetime,
        IOptions<ModelOptions> model, ILogger<EngineHostedService> logger,
        EmbeddingService? embeddings = null, IEmbeddingBackendFactory? embeddingFactory = null)
    {
        _embeddings = embeddings;
        _embeddingFactory = embeddingFactory;
        _engine = engine;
        _factory = factory;
        _lifetime = lifetime;
        _model = model.Value;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string path = _model.Path;
        try
        {
            _logger.ModelLoading(path);
            long start = Stopwatch.GetTimestamp();
            IModelBackend backend = await Task.Factory.StartNew(() => _factory.Create(stoppingToken), stoppingToken,
                TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            _backend = backend;
            if (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            _engine.Attach(backend);
            var meta = backend.Metadata;
            _logger.ModelLoaded(meta.Id, path, Stopwatch.GetElapsedTime(start).TotalMilliseconds, meta.Architecture,
                meta.ContextSize, meta.BatchSize, meta.MaxSequences, meta.VocabSize, meta.ParameterCount, meta.SizeBytes);
            AttachEmbeddings(backend, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _logger.ModelLoadFailed(path, ex.Message);
            _logger.ModelLoadFailureDetails(ex);
            Environment.ExitCode = 1;
            // Stopping before the server has bound its ports makes the host throw from StartAsync; wait for it.
            _lifetime.ApplicationStarted.Register(_lifetime.StopApplication);
        }
    }

    private void AttachEmbeddings(IModelBackend backend, CancellationToken stoppingToken)
    {
        if (_embeddings is not { IsEnabled: true } || _embeddingFactory is null)
        {
            return;
        }

        try
        {
            _embeddingBackend = _embeddingFactory.Create(backend, stoppingToken);
            _embeddings.Attach(_embeddingBackend);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            EmbeddingLog.CreateFailed(_logger, ex);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);

        // Graceful: let queued and running sequences finish while the host's shutdown timeout allows.
        _engine.BeginDrain();
        try
        {
            await _engine.WaitForIdleAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _engine.Shutdown(TimeSpan.FromSeconds(10));
        _embeddings?.Shutdown(TimeSpan.FromSeconds(10));
        _embeddingBackend?.Dispose();
        _embeddingBackend = null;
        _backend?.Dispose();
        _backend = null;
    }
}
