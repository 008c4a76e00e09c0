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
    /// loss on what an assistant says: the answer and its closing &lt;|im_end|&gt;, and the worked answers of
    /// few-shot turns the same way (standard SFT masking: every assistant turn is supervised, nothing else).
    /// </summary>
    public EncodedExample EncodeChat(TaskExample example)
    {
        var tokens = new List<int>();
        var targets = new List<int>();
        if (tokenizer.AddBos) Append([tokenizer.Bos], supervised: false);
        foreach (var m in example.Messages)
        {
            Append(tokenizer.Tokenize($"{ChatMlFormatter.ImStart}{m.Role}\n", addBos: false, special: true), supervised: false);
            Append(Content(m.Content), supervised: m.Role == "assistant");
            Append([tokenizer.ImEnd], supervised: m.Role == "assistant");
            Append(tokenizer.Tokenize("\n", addBos: false, special: false), supervised: false);
        }
        Append(tokenizer.Tokenize($"{ChatMlFormatter.ImStart}assistant\n", addBos: false, special: true), supervised: false);
        Append(Content(example.Answer), supervised: true);
        Append([tokenizer.ImEnd], supervised: true);

        // Turn-by-turn tokenization must be what the server's one-pass tokenization of the prompt gives.
        var prompt = tokenizer.Tokenize(ChatMlFormatter.FormatPrompt(example.Messages), tokenizer.AddBos, special: true);
        if (!tokens.Take(prompt.Length).SequenceEqual(prompt))
        {
            throw new InvalidOperationException("Turn-wise chat tokenization differs from the whole-prompt tokenization.");
        }
        // targets[i] is the label of position i - 1 (the token to predict there); shift into next-token targets.
        var next = new int[tokens.Count];
        for (var i = 0; i < tokens.Count - 1; i++) next[i] = targets[i + 1];
        next[^1] = -1;
        return new EncodedExample([.. tokens], next);

        void Append(int[] piece, bool supervised)
        {
            foreach (var t in piece)
            {
                tokens.Add(t);
                targets.Add(supervised ? t : -1);
            }
        }
    }

    private int[] Content(string text) => tokenizer.Tokenize(text, addBos: false, special: false);

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
