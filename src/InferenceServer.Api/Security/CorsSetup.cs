namespace InferenceServer.Api.Security;

/// <summary>
/// CORS for the origins in <c>Security:CorsOrigins</c> (none by default: browsers then refuse cross-origin
/// calls). Preflights of listed origins are answered with the methods and request headers a browser client needs,
/// streaming included (fetch with a ReadableStream reader needs nothing beyond these; the OpenAI JavaScript SDK
/// also sends its x-stainless-* headers), and the retry headers are exposed to scripts.
/// </summary>
internal static class CorsSetup
{
    public static readonly string[] AllowedHeaders =
    [
        "Authorization", "Content-Type", "Accept", "Cache-Control", "Last-Event-ID", "x-request-id",
        "OpenAI-Organization", "OpenAI-Project", "x-stainless-arch", "x-stainless-lang", "x-stainless-os",
        "x-stainless-package-version", "x-stainless-retry-count", "x-stainless-runtime",
        "x-stainless-runtime-version", "x-stainless-timeout",
    ];

    public static readonly string[] ExposedHeaders = ["x-request-id", "Retry-After", "x-should-retry"];

    /// <summary>Registers CORS; the policy is built from the bound options when the app is built.</summary>
    public static IServiceCollection AddServerCors(this IServiceCollection services)
    {
        services.AddCors();
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>().Configure<Microsoft.Extensions.Options.IOptions<SecurityOptions>>((options, security) => options.AddDefaultPolicy(policy => policy
            .WithOrigins(security.Value.CorsOrigins)
            .WithMethods("GET", "POST")
            .WithHeaders(AllowedHeaders)
            .WithExposedHeaders(ExposedHeaders)
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
        return services;
    }
}
