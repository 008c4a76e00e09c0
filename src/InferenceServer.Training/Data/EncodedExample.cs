namespace InferenceServer.Training.Data;

/// <summary>A token sequence and, per position, the next token to learn (-1: no loss at that position).</summary>
internal sealed record EncodedExample(int[] Tokens, int[] Targets)
{
    public int Length => Tokens.Length;
}

/// <summary>Turns tasks and plain text into training tokens with llama.cpp's tokenization.</summary>
internal sealed class ExampleEncoder(ITokenizer tokenizer)
{
    /// <summary>
    /// Prompt (chatml, as the server formats it, BOS if the vocabulary adds one) + answer + &lt;|im_end|&gt;;
    /// loss only on the answer and the closing &lt;|im_end|&gt; (what greedy generation must produce).
    /// </summary>
    public EncodedExample EncodeChat(TaskExample example)
    {
        var prompt = tokenizer.Tokenize(ChatMlFormatter.FormatPrompt(example.Messages), tokenizer.AddBos, special: true);
        var answer = tokenizer.Tokenize(example.Answer, addBos: false, special: false);
        var tokens = new int[prompt.Length + answer.Length + 1];
        prompt.CopyTo(tokens, 0);
        answer.CopyTo(tokens, prompt.Length);
        tokens[^1] = tokenizer.ImEnd;
        var targets = new int[tokens.Length];
        Array.Fill(targets, -1);
        for (var i = prompt.Length - 1; i < tokens.Length - 1; i++) targets[i] = tokens[i + 1];
        return new EncodedExample(tokens, targets);
    }

    /// <summary>The same tokens as <see cref="EncodeChat"/> with every next token as a target (for cross-entropy checks).</summary>
    public EncodedExample EncodeChatAllTokens(TaskExample example)
    {
        var chat = EncodeChat(example);
        var targets = new int[chat.Length];
        for (var i = 0; i < targets.Length - 1; i++) targets[i] = chat.Tokens[i + 1];
        targets[^1] = -1;
        return chat with { Targets = targets };
    }

    /// <summary>Plain text with loss on every next token.</summary>
    public EncodedExample EncodePlain(string text)
    {
        var body = tokenizer.Tokenize(text + "\n", addBos: false, special: false);
        var tokens = tokenizer.AddBos ? [tokenizer.Bos, .. body] : body;
        var targets = new int[tokens.Length];
        for (var i = 0; i < tokens.Length - 1; i++) targets[i] = tokens[i + 1];
        targets[^1] = -1;
        return new EncodedExample(tokens, targets);
    }
}
