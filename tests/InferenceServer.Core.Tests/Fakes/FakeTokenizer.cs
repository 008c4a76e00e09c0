using System.Text;
using InferenceServer.Core.Engine;

namespace InferenceServer.Core.Tests.Fakes;

/// <summary>
/// 64-token vocabulary: 0 = end of generation (no bytes), 1..26 = 'a'..'z', 27 = ' ', and multi-byte pieces:
/// 30/31 = "é" split (C3 | A9), 32/33 = "中" split (E4 | B8 AD), 34/35/36 = "😀" split (F0 9F | 98 | 80),
/// 37 = "中" whole, 38 = "😀" whole, 39 = "é" whole. Others: '#'.
/// </summary>
public sealed class FakeTokenizer : ITokenizer
{
    public const int Eos = 0;
    public const int Space = 27;

    private static readonly Dictionary<int, byte[]> Special = new()
    {
        [30] = [0xC3], [31] = [0xA9],
        [32] = [0xE4], [33] = [0xB8, 0xAD],
        [34] = [0xF0, 0x9F], [35] = [0x98], [36] = [0x80],
        [37] = Encoding.UTF8.GetBytes("中"), [38] = Encoding.UTF8.GetBytes("😀"), [39] = Encoding.UTF8.GetBytes("é"),
    };

    public int VocabSize => 64;

    public static int Letter(char c) => c - 'a' + 1;

    public int[] Tokenize(string text, bool addSpecial, bool parseSpecial) =>
        text.Select(c => c == ' ' ? Space : c is >= 'a' and <= 'z' ? Letter(c) : 40).ToArray();

    public byte[] TokenBytes(int token) => token switch
    {
        Eos => [],
        >= 1 and <= 26 => [(byte)('a' + token - 1)],
        Space => [(byte)' '],
        _ when Special.TryGetValue(token, out byte[]? bytes) => bytes,
        _ => [(byte)'#'],
    };

    public string Detokenize(IReadOnlyList<int> tokens) => Encoding.UTF8.GetString(tokens.SelectMany(TokenBytes).ToArray());

    public bool IsEndOfGeneration(int token) => token == Eos;
}
