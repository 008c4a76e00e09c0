using InferenceServer.Core.Generation;

namespace InferenceServer.Core.Tests.Generation;

public class StopSequenceMatcherTests
{
    private static (string Text, bool Stopped) Stream(IEnumerable<string> deltas, params string[] stops)
    {
        var matcher = new StopSequenceMatcher(stops);
        var text = new System.Text.StringBuilder();
        foreach (string delta in deltas)
        {
            StopMatchResult r = matcher.Push(delta);
            text.Append(r.Text);
            if (r.Stopped)
            {
                return (text.ToString(), true);
            }
        }

        text.Append(matcher.Flush());
        return (text.ToString(), false);
    }

    /// <summary>Reference: the first stop to complete scanning left to right (earliest end, then earliest start).</summary>
    private static (string Text, bool Stopped) Reference(string text, string[] stops)
    {
        for (int end = 1; end <= text.Length; end++)
        {
            int best = -1;
            foreach (string stop in stops.Where(s => s.Length > 0 && s.Length <= end))
            {
                if (string.CompareOrdinal(text, end - stop.Length, stop, 0, stop.Length) == 0 && (best < 0 || end - stop.Length < best))
                {
                    best = end - stop.Length;
                }
            }

            if (best >= 0)
            {
                return (text[..best], true);
            }
        }

        return (text, false);
    }

    [Fact]
    public void No_stops_passes_text_through_immediately()
    {
        var matcher = new StopSequenceMatcher([]);
        Assert.Equal(new StopMatchResult("hello", false), matcher.Push("hello"));
        Assert.Equal("", matcher.Flush());
    }

    [Fact]
    public void Stop_split_across_deltas_is_never_emitted()
    {
        var matcher = new StopSequenceMatcher(["END"]);
        Assert.Equal("a", matcher.Push("abE").Text); // holds back len("END") - 1 = 2 characters
        Assert.Equal("b", matcher.Push("N").Text);
        StopMatchResult r = matcher.Push("Dxyz");
        Assert.True(r.Stopped);
        Assert.Equal("", r.Text);
        Assert.Equal("", matcher.Flush());
        Assert.Equal("", matcher.Push("more").Text);
    }

    [Fact]
    public void Holds_back_only_what_could_start_a_stop_and_flushes_the_rest()
    {
        var matcher = new StopSequenceMatcher(["xyz", "q"]);
        Assert.Equal("abc", matcher.Push("abcxy").Text);
        Assert.Equal(2, matcher.HeldBackLength);
        Assert.Equal("xy", matcher.Flush());
    }

    [Fact]
    public void Multiple_stops_first_completed_wins()
    {
        Assert.Equal(("hello ", true), Stream(["hello wor", "ld"], "world", "lo w!"));
        Assert.Equal(("a", true), Stream(["abcd"], "abcd", "bc"));
    }

    [Fact]
    public void Never_splits_a_surrogate_pair_when_holding_back()
    {
        var matcher = new StopSequenceMatcher(["zz"]);
        string emitted = matcher.Push("a😀").Text; // hold back 1 char: would split the pair
        Assert.Equal("a", emitted);
        Assert.Equal("😀", matcher.Flush());
    }

    [Theory]
    [InlineData("The quick brown fox jumps", new[] { "fox" })]
    [InlineData("aaaaab", new[] { "aab" })]
    [InlineData("emoji 😀😀 stop here", new[] { "😀 s", "here" })]
    [InlineData("no match at all", new[] { "zzz", "qq" })]
    [InlineData("abcabcabd", new[] { "abd", "cab" })]
    [InlineData("中文字符串结束", new[] { "结束", "字符" })]
    public void Streaming_equals_whole_text_for_every_split(string text, string[] stops)
    {
        var expected = Reference(text, stops);
        Assert.Equal(expected, Stream([text], stops));
        for (int a = 0; a <= text.Length; a++)
        {
            for (int b = a; b <= text.Length; b++)
            {
                if ((a > 0 && a < text.Length && char.IsLowSurrogate(text[a])) || (b > 0 && b < text.Length && char.IsLowSurrogate(text[b])))
                {
                    continue; // the decoder never produces half a code point
                }

                var actual = Stream([text[..a], text[a..b], text[b..]], stops);
                Assert.Equal(expected, actual);
            }
        }

        // One character at a time (code points kept whole).
        var perChar = System.Globalization.StringInfo.GetTextElementEnumerator(text);
        var pieces = new List<string>();
        while (perChar.MoveNext())
        {
            pieces.Add((string)perChar.Current);
        }

        Assert.Equal(expected, Stream(pieces, stops));
    }
}
