namespace InferenceServer.Api.Security;

/// <summary>Endpoint metadata: this route needs no API key (health probes, the chat page, optionally /metrics).
/// Every other routed endpoint requires one when keys are configured: opening a route is explicit.</summary>
public sealed class OpenEndpointMetadata
{
    public static OpenEndpointMetadata Instance { get; } = new();

    private OpenEndpointMetadata()
    {
    }
}

public static class OpenEndpointExtensions
{
    /// <summary>Marks the endpoint(s) as reachable without an API key.</summary>
    public static TBuilder AllowWithoutApiKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint => endpoint.Metadata.Add(OpenEndpointMetadata.Instance));
        return builder;
    }

    internal static bool RequiresApiKey(this HttpContext context) =>
        context.GetEndpoint() is { } endpoint && endpoint.Metadata.GetMetadata<OpenEndpointMetadata>() is null;
}
