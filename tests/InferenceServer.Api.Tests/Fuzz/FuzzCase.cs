using System.Text;

namespace InferenceServer.Api.Tests.Fuzz;

/// <summary>One mutated HTTP request: method, path, headers and raw body bytes.</summary>
public sealed record FuzzCase(string Method, string Path, string? ContentType, string? Authorization, byte[]? Body, string Description)
{
    public override string ToString()
    {
        var body = Body is null ? "(none)" : Encoding.UTF8.GetString(Body);
        return $"{Method} {Path} [{ContentType ?? "no content type"}] {Description}: {(body.Length > 600 ? body[..600] + "…" : body)}";
    }
}
