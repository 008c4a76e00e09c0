using InferenceServer.Training.Data;
using InferenceServer.TestKit;

namespace InferenceServer.Training.Tests.Training;

/// <summary>How chat examples become training tokens: the server's prompt tokens, loss on every assistant turn.</summary>
public sealed class ChatEncodingTests
{
    [Fact]
    public void Every_assistant_turn_is_supervised_and_nothing_else()
    {
        using var tokenizer = new LlamaSharpTokenizer(TestModels.TinyRandom);
        var encoder = new ExampleEncoder(tokenizer);
        var generator = new TaskGenerator(21, DataSplit.Train);
        var examples = Enumerable.Range(0, 400).Select(_ => generator.Next()).ToList();
        var fewShot = examples.First(e => e.Shots == 2);
        foreach (var ex in examples)
        {
            var encoded = encoder.EncodeChat(ex);
            // The prompt part is exactly what the server tokenizes for this conversation.
            var prompt = tokenizer.Tokenize(ChatMlFormatter.FormatPrompt(ex.Messages), tokenizer.AddBos, special: true);
            Assert.Equal(prompt, encoded.Tokens.Take(prompt.Length));

            // Supervised tokens are the assistant turns' contents, each closed by <|im_end|>, in order.
            var expected = ex.Messages.Where(m => m.Role == "assistant").Select(m => m.Content).Append(ex.Answer)
                .SelectMany(c => tokenizer.Tokenize(c, addBos: false, special: false).Append(tokenizer.ImEnd)).ToList();
            var supervised = encoded.Targets.Where(t => t >= 0).ToList();
            Assert.Equal(expected, supervised);
            for (var i = 0; i < encoded.Length - 1; i++)
            {
                if (encoded.Targets[i] >= 0) Assert.Equal(encoded.Tokens[i + 1], encoded.Targets[i]);
            }
            Assert.Equal(tokenizer.ImEnd, encoded.Tokens[^1]);
        }
        Assert.Equal(3, encoder.EncodeChat(fewShot).Targets.Count(t => t == tokenizer.ImEnd));
    }
}
