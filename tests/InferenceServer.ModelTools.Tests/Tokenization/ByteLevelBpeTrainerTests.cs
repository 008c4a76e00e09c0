using InferenceServer.ModelTools.Tokenization;

namespace InferenceServer.ModelTools.Tests.Tokenization;

public sealed class ByteLevelBpeTrainerTests
{
    [Fact]
    public void Training_is_deterministic_and_has_the_required_tokens()
    {
        var a = ByteLevelBpeTrainer.Train(BuiltInCorpus.Text, 400, ["<|tool|>"]);
        var b = ByteLevelBpeTrainer.Train(BuiltInCorpus.Text, 400, ["<|tool|>"]);
        Assert.Equal(a.Tokens, b.Tokens);
        Assert.Equal(a.Merges, b.Merges);
        Assert.Equal(400, a.Count);
        for (int i = 0; i < 256; i++) Assert.Equal(i, a.ByteTokenId((byte)i));
        Assert.Equal("Ġ", a.Tokens[' ']);
        foreach (var s in new[] { SpecialTokens.EndOfText, SpecialTokens.ImStart, SpecialTokens.ImEnd, "<|tool|>" })
        {
            var id = a.TokenToId(s);
            Assert.NotNull(id);
            Assert.Equal(TokenType.Control, a.TokenTypes[id.Value]);
        }
        Assert.Equal(a.Tokens.Count, a.Tokens.Distinct().Count());
        Assert.All(a.Merges, m => Assert.NotNull(a.TokenToId(m.Replace(" ", ""))));
    }

    [Fact]
    public void Frequent_words_become_single_tokens()
    {
        var v = ByteLevelBpeTrainer.Train(BuiltInCorpus.Text, 512, []);
        Assert.Single(v.Encode("Hello", parseSpecial: false));
        Assert.Single(v.Encode(" the", parseSpecial: false));
    }

    [Fact]
    public void Vocabulary_size_below_the_minimum_is_rejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ByteLevelBpeTrainer.Train("abc", 200, []));
}
