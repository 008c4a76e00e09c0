using InferenceServer.Api.Observability.Shutdown;
using InferenceServer.Core.Engine;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace InferenceServer.Api.Observability.Health;

/// <summary>Healthy while the engine admits requests; unhealthy while the model loads or the server drains.</summary>
public sealed class EngineReadinessHealthCheck(IServiceProvider services, DrainState drain) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (drain.IsDraining)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Draining for shutdown"));
        }

        var engine = services.GetService<IInferenceEngine>();
        if (engine is null)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("No inference engine is registered"));
        }

        return Task.FromResult(engine.IsReady
            ? HealthCheckResult.Healthy("Model loaded")
            : HealthCheckResult.Unhealthy("Loading model"));
    }
}
