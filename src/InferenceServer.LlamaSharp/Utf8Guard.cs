using System.Buffers;
using System.Text;

namespace InferenceServer.LlamaSharp;

/// <summary>Tracks the incomplete UTF-8 tail of a sequence's output and tells whether a token's bytes keep the
/// output valid (strict: no overlong forms, surrogates, or code points past U+10FFFF).</summary>
internal sealed class Utf8Guard
{
    private byte[] _pending = [];

    public bool Allows(ReadOnlySpan<byte> piece) => Remainder(piece) is not null;

    public void Advance(ReadOnlySpan<byte> piece) => _pending = Remainder(piece) ?? [];

    /// <summary>The incomplete tail after appending <paramref name="piece"/>, or null when the bytes are invalid.</summary>
    private byte[]? Remainder(ReadOnlySpan<byte> piece)
    {
        var bytes = new byte[_pending.Length + piece.Length];
        _pending.CopyTo(bytes, 0);
        piece.CopyTo(bytes.AsSpan(_pending.Length));
        ReadOnlySpan<byte> rest = bytes;
        while (!rest.IsEmpty)
        {
            switch (Rune.DecodeFromUtf8(rest, out _, out var consumed))
            {
                case OperationStatus.Done:
                    rest = rest[consumed..];
                    break;
                case OperationStatus.NeedMoreData:
                    return rest.ToArray();
                default:
                    return null;
            }
        }

        return [];
    }
}
