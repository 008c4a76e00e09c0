using System.Security.Cryptography;

namespace InferenceServer.OpenAI.Ids;

/// <summary>Makes response ids ("chatcmpl-…", "cmpl-…"). Injectable so tests can pin them.</summary>
public interface IIdGenerator
{
    /// <summary><paramref name="prefix"/> followed by random base62 characters.</summary>
    string NewId(string prefix);
}

/// <summary>29 base62 characters from the OS CSPRNG (~172 bits): collisions are not a concern.</summary>
public sealed class RandomIdGenerator : IIdGenerator
{
    public const int RandomLength = 29;
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public string NewId(string prefix) =>
        string.Create(prefix.Length + RandomLength, prefix, static (span, p) =>
        {
            p.AsSpan().CopyTo(span);
            RandomNumberGenerator.GetItems(Alphabet.AsSpan(), span[p.Length..]);
        });
}

public static class IdPrefixes
{
    public const string Chat = "chatcmpl-";
    public const string Completion = "cmpl-";
    public const string Request = "req_";
    public const string ToolCall = "call_";
}
