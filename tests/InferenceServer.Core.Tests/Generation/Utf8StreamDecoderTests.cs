using System.Text;
using InferenceServer.Core.Generation;

namespace InferenceServer.Core.Tests.Generation;

public class Utf8StreamDecoderTests
{
    [Theory]
    [InlineData("héllo")]
    [InlineData("中文 text")]
    [InlineData("emoji 😀 and 👍🏽 mix")]
    [InlineData("ascii only")]
    public void Every_byte_split_yields_whole_code_points_and_the_same_text(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        for (int split = 0; split <= bytes.Length; split++)
        {
            var decoder = new Utf8StreamDecoder();
            string first = decoder.Append(bytes.AsSpan(0, split));
            string second = decoder.Append(bytes.AsSpan(split));
            AssertWhole(first);
            AssertWhole(second);
            Assert.Equal(text, first + second + decoder.Flush());
        }

        var byByte = new Utf8StreamDecoder();
        var sb = new StringBuilder();
        foreach (byte b in bytes)
        {
            string piece = byByte.Append([b]);
            AssertWhole(piece);
            sb.Append(piece);
        }

        Assert.Equal(text, sb.ToString());
        Assert.False(byByte.HasPendingBytes);
    }

    [Fact]
    public void Holds_an_incomplete_sequence_until_it_completes()
    {
        var decoder = new Utf8StreamDecoder();
        Assert.Equal("", decoder.Append([0xF0, 0x9F]));
        Assert.True(decoder.HasPendingBytes);
        Assert.Equal("", decoder.Append([0x98]));
        Assert.Equal("😀", decoder.Append([0x80]));
        Assert.False(decoder.HasPendingBytes);
    }

    [Fact]
    public void Unfinished_sequence_at_the_end_becomes_a_replacement_character()
    {
        var decoder = new Utf8StreamDecoder();
        Assert.Equal("a", decoder.Append([(byte)'a', 0xE4, 0xB8]));
        Assert.Equal("\uFFFD", decoder.Flush());
    }

    [Fact]
    public void Invalid_bytes_become_replacement_characters()
    {
        var decoder = new Utf8StreamDecoder();
        Assert.Equal("\uFFFDa", decoder.Append([0xFF, (byte)'a']));
    }

    private static void AssertWhole(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]))
            {
                Assert.True(i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]), "no lone high surrogate");
                i++;
            }
            else
            {
                Assert.False(char.IsLowSurrogate(text[i]), "no lone low surrogate");
            }
        }

        Assert.DoesNotContain('\uFFFD', text);
    }
}
