namespace InferenceServer.Core.Engine;

/// <summary>The model's vocabulary. Thread-safe: used on request threads (prompt checks) and the engine loop.</summary>
public interface ITokenizer
{
    int VocabSize { get; }

    /// <summary>Text to token ids. <paramref name="addSpecial"/> adds BOS when the model wants it;
    /// <paramref name="parseSpecial"/> turns "&lt;|im_start|&gt;"-style text into control tokens (templated prompts only).</summary>
    int[] Tokenize(string text, bool addSpecial, bool parseSpecial);

    /// <summary>The raw bytes a token contributes to the output (possibly a partial UTF-8 sequence; empty for
    /// control tokens).</summary>
    byte[] TokenBytes(int token);

    /// <summary>Whole-text detokenization (invalid UTF-8 replaced by U+FFFD).</summary>
    string Detokenize(IReadOnlyList<int> tokens);

    /// <summary>
    /// The most bytes of input text one token can stand for (control tokens' text included, since templated prompts
    /// are tokenized with parseSpecial), or null when the tokenizer cannot promise such a bound (normalizing
    /// tokenizers may fold many input bytes into one token). A text of B UTF-8 bytes has at least B / this many
    /// tokens, so a text longer than the context times this bound can be refused without tokenizing it.
    /// </summary>
    int? MaxTokenTextBytes => null;

    /// <summary>End-of-generation tokens (EOS, EOT, &lt;|im_end|&gt;...).</summary>
    bool IsEndOfGeneration(int token);
}
