using System.Text;
using InferenceServer.Core.Engine;
using InferenceServer.LlamaSharp.Tests.Fixtures;

namespace InferenceServer.LlamaSharp.Tests;

[Collection(ModelCollection.Name)]
public sealed class LlamaSharpTokenizerTests(ModelFiles files)
{
    [Theory]
    [InlineData("hello world")]
    [InlineData("héllo, wörld ✓ 日本")]
    [InlineData("  leading spaces\n\tand tabs")]
    public void Plain_text_round_trips(string text)
    {
        using var backend = TestBackends.Create(files.Tiny);
        var tokenizer = backend.Tokenizer;

        var tokens = tokenizer.Tokenize(text, addSpecial: false, parseSpecial: false);

        Assert.NotEmpty(tokens);
        Assert.Equal(text, tokenizer.Detokenize(tokens));
        Assert.Equal(Encoding.UTF8.GetBytes(text), tokens.SelectMany(tokenizer.TokenBytes).ToArray());
    }

    [Fact]
    public void The_longest_token_text_bounds_the_tokens_of_any_text()
    {
        using var backend = TestBackends.Create(files.Tiny);
        var tokenizer = backend.Tokenizer;
        var longest = Assert.IsType<int>(tokenizer.MaxTokenTextBytes);

        // Control tokens count with their text (a templated prompt is tokenized with parseSpecial).
        var special = tokenizer.Tokenize("<|im_start|>", addSpecial: false, parseSpecial: true);
        Assert.Single(special);
        Assert.True(longest >= Encoding.UTF8.GetByteCount("<|im_start|>"), $"bound {longest}");
        Assert.All(Enumerable.Range(0, tokenizer.VocabSize), t => Assert.True(tokenizer.TokenBytes(t).Length <= longest));

        // B bytes of text never take fewer than B / bound tokens.
        foreach (var text in new[] { "hello world", new string('l', 500), "<|im_start|>user\nhi<|im_end|>", "héllo ✓ 日本 " + new string(' ', 64) })
        {
            var tokens = tokenizer.Tokenize(text, addSpecial: true, parseSpecial: true);
            Assert.True(tokens.Length * longest >= Encoding.UTF8.GetByteCount(text), $"{tokens.Length} tokens x {longest} < bytes of '{text}'");
        }
    }

    [Fact]
    public void Merges_apply()
    {
        using var backend = TestBackends.Create(files.Tiny);

        var tokens = backend.Tokenizer.Tokenize("hell", addSpecial: false, parseSpecial: false);

        Assert.Equal(new[] { "he", "ll" }, tokens.Select(t => TinyGguf.Tokens[t]));
    }

    [Fact]
    public void Special_tokens_parse_only_when_asked_and_round_trip()
    {
        using var backend = TestBackends.Create(files.Tiny);
        var tokenizer = backend.Tokenizer;
        const string text = "<|im_start|>user\nhi<|im_end|>\n";

        var parsed = tokenizer.Tokenize(text, addSpecial: false, parseSpecial: true);
        var literal = tokenizer.Tokenize(text, addSpecial: false, parseSpecial: false);

        Assert.Equal(TinyGguf.ImStartId, parsed[0]);
        Assert.Contains(TinyGguf.ImEndId, parsed);
        Assert.DoesNotContain(TinyGguf.ImStartId, literal);
        Assert.Equal(text, tokenizer.Detokenize(parsed));
        Assert.Equal(text, tokenizer.Detokenize(literal));
    }

    [Fact]
    public void Control_tokens_contribute_no_output_bytes()
    {
        using var backend = TestBackends.Create(files.Tiny);

        Assert.Empty(backend.Tokenizer.TokenBytes(TinyGguf.ImStartId));
        Assert.Empty(backend.Tokenizer.TokenBytes(TinyGguf.ImEndId));
        Assert.Equal("h"u8.ToArray(), backend.Tokenizer.TokenBytes('h'));
    }

    [Fact]
    public void Multi_byte_characters_may_split_across_tokens()
    {
        using var backend = TestBackends.Create(files.Tiny);

        var tokens = backend.Tokenizer.Tokenize("✓", addSpecial: false, parseSpecial: false);

        Assert.Equal(3, tokens.Length);
        Assert.Equal(new byte[] { 0xE2 }, backend.Tokenizer.TokenBytes(tokens[0]));
        Assert.Equal("\uFFFD", backend.Tokenizer.Detokenize([tokens[0]]));
    }

    [Fact]
    public void Add_special_adds_bos_only_when_the_vocabulary_asks_for_it()
    {
        using var withBos = TestBackends.Create(files.TinyWithBos);
        using var withoutBos = TestBackends.Create(files.Tiny);

        var a = withBos.Tokenizer.Tokenize("hi", addSpecial: true, parseSpecial: false);
        var b = withoutBos.Tokenizer.Tokenize("hi", addSpecial: true, parseSpecial: false);

        Assert.Equal(new[] { TinyGguf.EndOfTextId, 'h', 'i' }, a);
        Assert.Equal(new int[] { 'h', 'i' }, b);
        Assert.Equal(new int[] { 'h', 'i' }, withBos.Tokenizer.Tokenize("hi", addSpecial: false, parseSpecial: false));
    }

    [Fact]
    public void End_of_generation_set_holds_eos_and_im_end()
    {
        using var backend = TestBackends.Create(files.Tiny);
        var tokenizer = backend.Tokenizer;

        Assert.True(tokenizer.IsEndOfGeneration(TinyGguf.EndOfTextId));
        Assert.True(tokenizer.IsEndOfGeneration(TinyGguf.ImEndId));
        Assert.False(tokenizer.IsEndOfGeneration(TinyGguf.ImStartId));
        Assert.False(tokenizer.IsEndOfGeneration('h'));
        Assert.False(tokenizer.IsEndOfGeneration(-1));
        Assert.False(tokenizer.IsEndOfGeneration(TinyGguf.VocabSize));
    }

    [Fact]
    public void Out_of_range_tokens_are_refused()
    {
        using var backend = TestBackends.Create(files.Tiny);

        Assert.Throws<ArgumentOutOfRangeException>(() => backend.Tokenizer.TokenBytes(TinyGguf.VocabSize));
        Assert.Throws<ArgumentOutOfRangeException>(() => backend.Tokenizer.Detokenize([-1]));
    }

    [Fact]
    public void Tokenizing_from_many_threads_gives_the_same_answers()
    {
        using var backend = TestBackends.Create(files.Tiny);
        ITokenizer tokenizer = backend.Tokenizer;
        var texts = Enumerable.Range(0, 64).Select(i => $"<|im_start|>user\nmessage {i} héllo ✓<|im_end|>").ToArray();
        var expected = texts.Select(t => tokenizer.Tokenize(t, true, true)).ToArray();

        var results = new int[texts.Length][];
        var decoded = new string[texts.Length];
        Parallel.For(0, texts.Length * 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var index = i % texts.Length;
            results[index] = tokenizer.Tokenize(texts[index], true, true);
            decoded[index] = tokenizer.Detokenize(results[index]);
        });

        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(expected[i], results[i]);
            Assert.Equal(texts[i], decoded[i]);
        }
    }
}
