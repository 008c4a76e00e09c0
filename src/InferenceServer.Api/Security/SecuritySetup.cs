using InferenceServer.Api.Limits;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace InferenceServer.Api.Security;

/// <summary>
/// The security edge, in pipeline order: CORS (answers preflights of listed origins), the request body limit,
/// API keys, the JSON content-type check, then the per-key rate limiter, so a refused request costs no work.
/// Core never sees keys.
/// </summary>
public static class SecuritySetup
{
    public static IServiceCollection AddServerSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SecurityOptions>().Bind(configuration.GetSection(SecurityOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidator>();
        services.AddOptions<LimitsOptions>().Bind(configuration.GetSection(LimitsOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LimitsOptions>, LimitsOptionsValidator>();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<LimitsOptions>>((kestrel, limits) =>
            kestrel.Limits.MaxRequestBodySize = limits.Value.MaxRequestBodyBytes);
        services.AddSingleton<ApiKeyStore>();
        services.AddMetrics();
        services.AddSingleton<SecurityMetrics>();
        services.AddHostedService<ExposureWarningService>();

        services.AddServerCors();
        services.AddServerRateLimits();
        return services;
    }

    /// <summary>Call after the exception handler (so its errors are OpenAI-shaped) and before the endpoints.</summary>
    public static IApplicationBuilder UseServerSecurity(this IApplicationBuilder app)
    {
        var settings = app.ApplicationServices.GetRequiredService<IOptions<SecurityOptions>>().Value;
        if (settings.CorsOrigins.Length > 0)
        {
            app.UseCors();
        }

        app.UseMiddleware<RequestBodyLimitMiddleware>();
        app.UseMiddleware<ApiKeyMiddleware>();
        app.UseMiddleware<JsonContentTypeMiddleware>();
        if (RateLimitSetup.Enabled(settings.RateLimit))
        {
            app.UseRateLimiter();
        }

        return app;
    }

    /// <summary>Whether /metrics needs a key (Security:ProtectMetrics).</summary>
    public static bool MetricsNeedKey(IConfiguration configuration) =>
        configuration.GetValue<bool>($"{SecurityOptions.SectionName}:{nameof(SecurityOptions.ProtectMetrics)}");
}
