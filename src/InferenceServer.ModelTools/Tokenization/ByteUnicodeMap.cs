using System.Text;

namespace InferenceServer.ModelTools.Tokenization;

/// <summary>
/// GPT-2's reversible byte-to-unicode mapping: printable Latin-1 bytes map to themselves, the other 68 bytes
/// to U+0100.. in byte order (so a space becomes "Ġ", a newline "Ċ"). Token strings of a "gpt2" vocabulary use it.
/// </summary>
public static class ByteUnicodeMap
{
    private static readonly char[] ByteToChar = BuildByteToChar();
    private static readonly Dictionary<char, byte> CharToByte = BuildCharToByte();

    public static char ToChar(byte b) => ByteToChar[b];

    public static bool TryToByte(char c, out byte b) => CharToByte.TryGetValue(c, out b);

    /// <summary>Maps raw bytes to their token-string form.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        foreach (var b in bytes) sb.Append(ByteToChar[b]);
        return sb.ToString();
    }

    /// <summary>Maps a token-string back to bytes; characters outside the mapping are written as their UTF-8.</summary>
    public static void Decode(string tokenText, List<byte> output)
    {
        foreach (var c in tokenText)
        {
            if (CharToByte.TryGetValue(c, out var b)) output.Add(b);
            else output.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
        }
    }

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        var assigned = new bool[256];
        for (int b = '!'; b <= '~'; b++) { map[b] = (char)b; assigned[b] = true; }
        for (int b = 0xA1; b <= 0xAC; b++) { map[b] = (char)b; assigned[b] = true; }
        for (int b = 0xAE; b <= 0xFF; b++) { map[b] = (char)b; assigned[b] = true; }
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            if (assigned[b]) continue;
            map[b] = (char)(256 + next++);
        }
        return map;
    }

    private static Dictionary<char, byte> BuildCharToByte()
    {
        var d = new Dictionary<char, byte>(256);
        for (int b = 0; b < 256; b++) d[ByteToChar[b]] = (byte)b;
        return d;
    }
}
