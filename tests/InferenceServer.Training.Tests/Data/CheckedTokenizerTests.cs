using InferenceServer.ModelTools.Gguf;
using InferenceServer.ModelTools.Tokenization;
using InferenceServer.TestKit;
using InferenceServer.Training.Data;

namespace InferenceServer.Training.Tests.Data;

/// <summary>The training data's fast managed tokenization is llama.cpp's, and a difference stops the run.</summary>
public sealed class CheckedTokenizerTests
{
    [Fact]
    public void Gives_llama_cpp_tokens_for_chat_examples_and_plain_text()
    {
        using var llama = new LlamaSharpTokenizer(TestModels.TinyRandom);
        var tokenizer = new CheckedTokenizer(BpeVocabulary.FromGguf(GgufReader.Open(TestModels.TinyRandom)), llama, checkFirst: int.MaxValue);
        var generator = new TaskGenerator(5, DataSplit.Train, new DataRecipe { MixedPassageKinds = true });
        var encoder = new ExampleEncoder(tokenizer);
        var reference = new ExampleEncoder(llama);
        for (var i = 0; i < 300; i++)
        {
            var example = generator.Next();
            Assert.Equal(reference.EncodeChat(example).Tokens, encoder.EncodeChat(example).Tokens);
            var line = generator.NextPlainText();
            Assert.Equal(reference.EncodePlain(line).Tokens, encoder.EncodePlain(line).Tokens);
        }
        Assert.Equal(llama.Tokenize("<|im_start|>user\nnaïve 東京 🙂  x\n\n", addBos: false, special: true), tokenizer.Tokenize("<|im_start|>user\nnaïve 東京 🙂  x\n\n", addBos: false, special: true));
        Assert.Equal(llama.Tokenize("<|im_end|> as text", addBos: false, special: false), tokenizer.Tokenize("<|im_end|> as text", addBos: false, special: false));
    }

    [Fact]
    public void A_difference_from_llama_cpp_stops_the_run_and_later_calls_are_sampled()
    {
        using var llama = new LlamaSharpTokenizer(TestModels.TinyRandom);
        var vocabulary = BpeVocabulary.FromGguf(GgufReader.Open(TestModels.TinyRandom));
        var disagreeing = new CheckedTokenizer(vocabulary, new ShiftedTokenizer(llama), checkFirst: 0, checkEvery: 3);
        var error = Assert.Throws<InvalidOperationException>(() => disagreeing.Tokenize("What is 3 + 4?", addBos: false, special: false));
        Assert.Contains("differs from llama.cpp", error.Message);

        var sampled = new CheckedTokenizer(vocabulary, llama, checkFirst: 2, checkEvery: 5);
        for (var i = 0; i < 12; i++) sampled.Tokenize($"line {i}", addBos: false, special: false);
        Assert.Equal(4, sampled.Checked); // calls 0 and 1, then 5 and 10
    }

    /// <summary>llama.cpp's tokens with every id moved by one: a reference the managed encoder cannot match.</summary>
    private sealed class ShiftedTokenizer(ITokenizer inner) : ITokenizer
    {
        public int VocabSize => inner.VocabSize;
        public bool AddBos => inner.AddBos;
        public int Bos => inner.Bos;
        public int ImEnd => inner.ImEnd;
        public int Padding => inner.Padding;
        public int[] Tokenize(string text, bool addBos, bool special) => [.. inner.Tokenize(text, addBos, special).Select(t => (t + 1) % inner.VocabSize)];
    }
}
