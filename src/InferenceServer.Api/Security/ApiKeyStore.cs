using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace InferenceServer.Api.Security;

/// <summary>
/// The accepted API keys, held only as SHA-256 hashes. A presented key is hashed and compared with every stored
/// hash by <see cref="CryptographicOperations.FixedTimeEquals"/>, without stopping at a match, so the time taken
/// says nothing about which bytes matched or which key it was. Keys are never logged.
/// </summary>
public sealed class ApiKeyStore
{
    private readonly byte[][] _hashes;

    public ApiKeyStore(IOptions<SecurityOptions> options)
        : this(Collect(options.Value, Environment.GetEnvironmentVariable(SecurityOptions.ApiKeysEnvironmentVariable)))
    {
    }

    internal ApiKeyStore(IEnumerable<string> keys) =>
        _hashes = keys.Select(k => k.Trim()).Where(k => k.Length > 0).Distinct(StringComparer.Ordinal).Select(Hash).ToArray();

    /// <summary>True when at least one key is configured: every API route then needs one.</summary>
    public bool Enabled => _hashes.Length > 0;

    public int Count => _hashes.Length;

    public bool IsValid(ReadOnlySpan<char> presented)
    {
        if (presented.IsEmpty)
        {
            return false;
        }

        var candidate = Hash(presented);
        var match = false;
        foreach (var hash in _hashes)
        {
            match |= CryptographicOperations.FixedTimeEquals(candidate, hash);
        }

        return match;
    }

    /// <summary>A short, non-reversible partition key for rate limiting (the hash prefix, never the key).</summary>
    public static string PartitionOf(ReadOnlySpan<char> presented) => Convert.ToHexString(Hash(presented), 0, 8);

    internal static IEnumerable<string> Collect(SecurityOptions options, string? environmentValue)
    {
        foreach (var key in options.ApiKeys)
        {
            yield return key;
        }

        if (options.ApiKeysFile is { Length: > 0 } file && File.Exists(file))
        {
            foreach (var line in File.ReadLines(file))
            {
                if (!line.TrimStart().StartsWith('#'))
                {
                    yield return line;
                }
            }
        }

        foreach (var key in (environmentValue ?? "").Split([',', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))
        {
            yield return key;
        }
    }

    private static byte[] Hash(string key) => Hash(key.AsSpan());

    private static byte[] Hash(ReadOnlySpan<char> key)
    {
        var bytes = Encoding.UTF8.GetBytes(key.ToArray());
        try
        {
            return SHA256.HashData(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }
}
