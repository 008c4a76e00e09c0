using System.Text;

namespace InferenceServer.ModelTools.Tokenization;

/// <summary>
/// A deterministic corpus of a few KB (English prose, chat turns, arithmetic lines, code, some CJK and emoji) used to
/// train a vocabulary when no corpus file is given. It deliberately never contains the 🌍 emoji, so that character
/// stays split over several tokens in every vocabulary trained on it (tests rely on that to exercise UTF-8 reassembly).
/// </summary>
public static class BuiltInCorpus
{
    private static readonly string[] Paragraphs =
    [
        "Hello world! Hello there. The quick brown fox jumps over the lazy dog. The end of the story is near, and the end is good.",
        "Once upon a time there was a small model that learned to count. It said: one, two, three, four, five, six, seven, eight, nine, ten.",
        "The server streams tokens as they are generated. When the client disconnects, the request is cancelled and its memory is freed.",
        "Hello 世界! 你好，世界。世界很大。我们在这里学习。日本語のテキストも少しあります。こんにちは世界。",
        "Emoji are fun 🙂 and rockets go up 🚀 while stars shine ✨. Cats 🐱 and dogs 🐶 are friends. 🙂🙂 🚀🚀",
        "Numbers: 0 1 2 3 4 5 6 7 8 9 10 11 12 100 256 1024 2048 65536 3.14159 2.71828 -42 +7 1,000,000.",
        "Questions and answers. What is two plus two? Two plus two is four. What is the capital of France? Paris is the capital of France.",
        "It's a model, isn't it? We'll see. They're here, you've seen them, I'm sure, he'd know. Don't worry!",
        "def add(a, b):\n    return a + b\n\nfor i in range(10):\n    print(i * i)\n",
        "{\"role\": \"user\", \"content\": \"Hello\"} [1, 2, 3] (x + y) * z = w; a <= b && c >= d || e != f.",
        "The end.",
    ];

    /// <summary>The corpus text (about 8 KB).</summary>
    public static string Text { get; } = Build();

    private static string Build()
    {
        var sb = new StringBuilder();
        for (int round = 0; round < 2; round++)
        {
            foreach (var p in Paragraphs) sb.Append(p).Append('\n');
        }
        sb.Append("<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\nHello! How can I help you today?<|im_end|>\n");
        // Arithmetic lines from a fixed linear congruential sequence: "a + b = c", "a - b = c", "a * b = c".
        uint x = 12345;
        uint Next() { x = x * 1103515245 + 12345; return (x >> 16) % 100; }
        for (int i = 0; i < 120; i++)
        {
            uint a = Next(), b = Next();
            switch (i % 3)
            {
                case 0: sb.Append($"{a} + {b} = {a + b}\n"); break;
                case 1: sb.Append($"{Math.Max(a, b)} - {Math.Min(a, b)} = {Math.Max(a, b) - Math.Min(a, b)}\n"); break;
                default: sb.Append($"{a % 13} * {b % 13} = {(a % 13) * (b % 13)}\n"); break;
            }
        }
        return sb.ToString();
    }
}
