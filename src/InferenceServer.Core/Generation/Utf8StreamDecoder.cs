using System.Text;

namespace InferenceServer.Core.Generation;

/// <summary>
/// Turns token bytes into text one token at a time without ever emitting half a code point: a UTF-8 sequence split
/// across tokens is held until it is complete. Invalid bytes become U+FFFD. Not thread-safe: one per sequence.
/// </summary>
public sealed class Utf8StreamDecoder
{
    private readonly List<byte> _pending = new(4);

    /// <summary>True while an incomplete UTF-8 sequence waits for its remaining bytes.</summary>
    public bool HasPendingBytes => _pending.Count > 0;

    /// <summary>Appends bytes and returns the text of every code point they complete.</summary>
    public string Append(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return "";
        }

        byte[] all;
        if (_pending.Count == 0)
        {
            all = bytes.ToArray();
        }
        else
        {
            all = new byte[_pending.Count + bytes.Length];
            _pending.CopyTo(all);
            bytes.CopyTo(all.AsSpan(_pending.Count));
            _pending.Clear();
        }

        int complete = CompletePrefixLength(all);
        for (int i = complete; i < all.Length; i++)
        {
            _pending.Add(all[i]);
        }

        return complete == 0 ? "" : Encoding.UTF8.GetString(all, 0, complete);
    }

    /// <summary>End of stream: an unfinished sequence becomes U+FFFD.</summary>
    public string Flush()
    {
        if (_pending.Count == 0)
        {
            return "";
        }

        string text = Encoding.UTF8.GetString(_pending.ToArray());
        _pending.Clear();
        return text;
    }

    /// <summary>Length of the prefix that ends on a code point boundary (a trailing incomplete sequence excluded).</summary>
    private static int CompletePrefixLength(ReadOnlySpan<byte> bytes)
    {
        // Look back at most 3 bytes for the lead byte of the last sequence.
        int limit = Math.Max(0, bytes.Length - 4);
        for (int i = bytes.Length - 1; i >= limit; i--)
        {
            byte b = bytes[i];
            if ((b & 0xC0) == 0x80)
            {
                continue; // continuation byte
            }

            int expected = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;
            int available = bytes.Length - i;
            return available >= expected ? bytes.Length : i;
        }

        return bytes.Length; // only stray continuation bytes: let the decoder replace them
    }
}
