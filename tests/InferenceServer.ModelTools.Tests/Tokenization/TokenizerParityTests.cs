using InferenceServer.ModelTools.Models;
using InferenceServer.ModelTools.Tokenization;
using InferenceServer.TestKit;

namespace InferenceServer.ModelTools.Tests.Tokenization;

/// <summary>Our encoder must give exactly the ids llama.cpp gives for the model we wrote.</summary>
public sealed class TokenizerParityTests
{
    public static TheoryData<string> Texts => new()
    {
        "Hello world! The quick brown fox jumps over the lazy dog.",
        "37 + 48 = 85\n12 * 12 = 144\n1234567890 - 987654321 = 246913569",
        "Numbers 3.14159, -42, +7, 1,000,000 and 0.5%; $100 costs ~€90 (maybe).",
        "It's a model, isn't it? We'll see. They're here, you've seen them, I'm sure, he'd know. DON'T SHOUT",
        "Hello 世界! 你好，世界。こんにちは、日本語。안녕하세요",
        "Emoji: 🌍🙂🚀✨ 👨‍👩‍👧 🇫🇷 and ☕.",
        "  leading spaces, trailing spaces   \n\n\ttabs\tand\r\nwindows lines\n   \n",
        "café naïve résumé e\u0301 Ωμέγα Привет мир مرحبا",
        "def add(a, b):\n    return a + b  # comment\n{\"role\": \"user\", \"content\": [1, 2]} <a href='x'>|</a> ^_^ `code`",
        "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
        "Text<|endoftext|>more<|im_end|><|im_start|> <|im_end |> <|im_start|",
        "",
        " ",
        "\n",
        "x  \ny x\n\ny 12345 1,234.5678 ½ ² Ⅻ ٣٤",
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void Encode_matches_llama_cpp_with_and_without_special_parsing(string text)
    {
        using var weights = LlamaHarness.Load(TestModels.TinyRandom);
        var vocabulary = TinyVocabulary.Value;
        foreach (var parseSpecial in new[] { true, false })
        {
            var expected = LlamaHarness.Tokenize(weights, text, parseSpecial);
            var actual = vocabulary.Encode(text, parseSpecial);
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void Decode_restores_the_text(string text)
    {
        var vocabulary = TinyVocabulary.Value;
        Assert.Equal(text, vocabulary.Decode(vocabulary.Encode(text, parseSpecial: true)));
        Assert.Equal(text, vocabulary.Decode(vocabulary.Encode(text, parseSpecial: false)));
    }

    [Fact]
    public void Special_tokens_are_rendered_only_when_asked()
    {
        var v = TinyVocabulary.Value;
        var ids = v.Encode("<|im_start|>user\nHi<|im_end|>", parseSpecial: true);
        Assert.Equal(v.ImStartId, ids[0]);
        Assert.Equal(v.ImEndId, ids[^1]);
        Assert.Equal("user\nHi", v.Decode(ids, renderSpecial: false));
    }

    [Fact]
    public void Vocabulary_read_back_from_the_file_equals_the_trained_one()
    {
        var v = TinyVocabulary.Value;
        var trained = ByteLevelBpeTrainer.Train(BuiltInCorpus.Text, 512, []);
        Assert.Equal(trained.Tokens, v.Tokens);
        Assert.Equal(trained.Merges, v.Merges);
        Assert.Equal(trained.TokenTypes, v.TokenTypes);
    }

    private static readonly Lazy<BpeVocabulary> TinyVocabulary = new(() =>
        BpeVocabulary.FromGguf(ModelTools.Gguf.GgufReader.Open(TestModels.TinyRandom)));
}
