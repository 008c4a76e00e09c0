using System.Buffers;
using System.Text;
using InferenceServer.Core.Engine;
using LLama.Native;

namespace InferenceServer.LlamaSharp;

/// <summary>
/// The model's vocabulary through llama.cpp. Thread-safe without a lock: llama.cpp keeps tokenization state in a
/// per-call session over read-only vocabulary tables (llama.cpp #9369/#9449; llama-server tokenizes on its HTTP
/// threads), and the end-of-generation set is computed once at load.
/// </summary>
public sealed class LlamaSharpTokenizer : ITokenizer
{
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly SafeLlamaModelHandle _model;
    private readonly bool[] _endOfGeneration;
    private readonly int[] _endOfGenerationTokens;

    internal LlamaSharpTokenizer(SafeLlamaModelHandle model)
    {
        _model = model;
        var vocab = model.Vocab;
        VocabSize = vocab.Count;
        AddsBos = vocab.ShouldAddBOS;
        _endOfGeneration = new bool[VocabSize];
        var eog = new List<int>();
        for (var token = 0; token < VocabSize; token++)
        {
            if (((LLamaToken)token).IsEndOfGeneration(vocab))
            {
                _endOfGeneration[token] = true;
                eog.Add(token);
            }
        }

        _endOfGenerationTokens = [.. eog];
        MaxTokenTextBytes = LongestTokenText(vocab);
    }

    /// <summary>
    /// The longest text (UTF-8 bytes, control tokens rendered as their text) of any token, for the byte-level BPE and
    /// SentencePiece vocabularies, whose tokens each cover exactly their own text (SentencePiece's "▁" covers one
    /// space byte and renders as one; an unknown character becomes one unknown token, hence the floor of 4 bytes).
    /// Null for the normalizing tokenizers (WordPiece, Unigram, ...), where one token may stand for more input.
    /// </summary>
    public int? MaxTokenTextBytes { get; }

    public int VocabSize { get; }

    /// <summary>Whether the vocabulary asks for a BOS token at the start of a prompt (tokenizer.ggml.add_bos_token).</summary>
    public bool AddsBos { get; }

    /// <summary>All end-of-generation token ids (EOS, EOT, &lt;|im_end|&gt;...), ascending.</summary>
    public IReadOnlyList<int> EndOfGenerationTokens => _endOfGenerationTokens;

    public int[] Tokenize(string text, bool addSpecial, bool parseSpecial)
    {
        ArgumentNullException.ThrowIfNull(text);
        // llama_tokenize's add_special adds BOS/EOS only where the vocabulary asks for them.
        var tokens = _model.Tokenize(text, addSpecial, parseSpecial, Utf8);
        var result = new int[tokens.Length];
        for (var i = 0; i < tokens.Length; i++)
        {
            result[i] = (int)tokens[i];
        }

        return result;
    }

    /// <summary>The bytes the token contributes to generated text; control tokens render empty.</summary>
    public byte[] TokenBytes(int token) => Piece(token, special: false);

    /// <summary>Whole-text detokenization; unlike <see cref="TokenBytes"/> this renders control tokens as their
    /// text (e.g. "&lt;|im_start|&gt;") so a templated prompt round-trips. Invalid UTF-8 becomes U+FFFD.</summary>
    public string Detokenize(IReadOnlyList<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var writer = new ArrayBufferWriter<byte>(Math.Max(16, tokens.Count * 4));
        Span<byte> scratch = stackalloc byte[128];
        foreach (var token in tokens)
        {
            CheckRange(token);
            var length = (int)_model.TokenToSpan(token, scratch, special: true);
            if (length <= scratch.Length)
            {
                writer.Write(scratch[..length]);
            }
            else
            {
                writer.Write(Piece(token, special: true));
            }
        }

        return Utf8.GetString(writer.WrittenSpan);
    }

    private int? LongestTokenText(SafeLlamaModelHandle.Vocabulary vocab)
    {
        if (vocab.Type is not (LLamaVocabType.BytePairEncoding or LLamaVocabType.SentencePiece))
        {
            return null;
        }

        var longest = 4;
        Span<byte> scratch = stackalloc byte[128];
        for (var token = 0; token < VocabSize; token++)
        {
            longest = Math.Max(longest, (int)_model.TokenToSpan(token, scratch, special: true));
        }

        return longest;
    }

    public bool IsEndOfGeneration(int token) => (uint)token < (uint)_endOfGeneration.Length && _endOfGeneration[token];

    private byte[] Piece(int token, bool special)
    {
        CheckRange(token);
        Span<byte> scratch = stackalloc byte[128];
        var length = (int)_model.TokenToSpan(token, scratch, special: special);
        if (length <= scratch.Length)
        {
            return scratch[..length].ToArray();
        }

        // TokenToSpan returns the size it needs when the buffer is too small.
        var large = new byte[length];
        length = (int)_model.TokenToSpan(token, large, special: special);
        return length == large.Length ? large : large[..length];
    }

    private void CheckRange(int token)
    {
        if ((uint)token >= (uint)VocabSize)
        {
            throw new ArgumentOutOfRangeException(nameof(token), token, $"Token id must be in [0, {VocabSize}).");
        }
    }
}
