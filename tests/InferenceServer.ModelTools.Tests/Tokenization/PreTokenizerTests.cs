using InferenceServer.ModelTools.Tokenization;

namespace InferenceServer.ModelTools.Tests.Tokenization;

public sealed class PreTokenizerTests
{
    [Theory]
    [InlineData("Hello world", new[] { "Hello", " world" })]
    [InlineData("37 + 48 = 85", new[] { "37", " ", "+", " ", "48", " ", "=", " ", "85" })]
    [InlineData("1234567", new[] { "123", "456", "7" })]
    [InlineData("Hello, world!", new[] { "Hello", ",", " world", "!" })]
    [InlineData("don't", new[] { "don", "'", "t" })]
    [InlineData("a  b", new[] { "a", " ", " b" })]
    [InlineData("x\n\ny", new[] { "x", "\n", "\n", "y" })]
    [InlineData("x  \ny", new[] { "x", "  ", "\n", "y" })]
    [InlineData("Hello 世界 🌍!", new[] { "Hello", " 世界", " 🌍", "!" })]
    public void Splits_like_llama_cpp_default(string text, string[] expected)
    {
        var words = PreTokenizer.Split(text);
        Assert.Equal(expected, words);
        Assert.Equal(text, string.Concat(words));
    }
}
