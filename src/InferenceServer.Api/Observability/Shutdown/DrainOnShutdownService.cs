using InferenceServer.Core.Engine;
using Microsoft.Extensions.Options;

namespace InferenceServer.Api.Observability.Shutdown;

/// <summary>
/// Graceful shutdown. <see cref="IHostedLifecycleService.StoppingAsync"/> runs after SIGTERM and before any hosted
/// service stops (Kestrel included), so the server keeps serving in-flight streams while this waits: mark the
/// drain (readiness fails, new /v1 requests get 503), call <see cref="IInferenceEngine.BeginDrain"/>, then wait
/// for <see cref="IInferenceEngine.WaitForIdleAsync"/> up to Shutdown:DrainTimeoutSeconds.
/// </summary>
public sealed partial class DrainOnShutdownService(
    IServiceProvider services,
    DrainState drain,
    IOptions<ShutdownOptions> options,
    TimeProvider time,
    ILogger<DrainOnShutdownService> logger) : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (!drain.MarkDraining())
        {
            return;
        }

        var engine = services.GetService<IInferenceEngine>();
        if (engine is null)
        {
            return;
        }

        var timeout = TimeSpan.FromSeconds(options.Value.DrainTimeoutSeconds);
        var started = time.GetTimestamp();
        var snapshot = TrySnapshot(engine);
        LogDrainStarted(logger, snapshot?.Running ?? 0, snapshot?.Waiting ?? 0, options.Value.DrainTimeoutSeconds);
        engine.BeginDrain();

        using var timeoutCts = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutCts.Token, cancellationToken);
        try
        {
            await engine.WaitForIdleAsync(linked.Token);
            LogDrained(logger, time.GetElapsedTime(started).TotalSeconds);
        }
        catch (OperationCanceledException)
        {
            var left = TrySnapshot(engine);
            LogDrainTimedOut(logger, time.GetElapsedTime(started).TotalSeconds, left?.Running ?? 0, left?.Waiting ?? 0);
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static EngineSnapshot? TrySnapshot(IInferenceEngine engine)
    {
        try
        {
            return engine.GetSnapshot();
        }
        catch (Exception ex) when (ex is InvalidOperationException or Core.Errors.InferenceException or ObjectDisposedException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information,
        Message = "Shutdown: draining {Running} running and {Waiting} waiting requests (timeout {TimeoutSeconds} s)")]
    private static partial void LogDrainStarted(ILogger logger, int running, int waiting, int timeoutSeconds);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Information, Message = "Shutdown: drained in {Seconds:F2} s")]
    private static partial void LogDrained(ILogger logger, double seconds);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Warning,
        Message = "Shutdown: drain timed out after {Seconds:F2} s with {Running} running and {Waiting} waiting requests; stopping anyway")]
    private static partial void LogDrainTimedOut(ILogger logger, double seconds, int running, int waiting);
}
