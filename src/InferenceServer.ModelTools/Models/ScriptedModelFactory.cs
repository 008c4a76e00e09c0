using InferenceServer.ModelTools.Tokenization;

namespace InferenceServer.ModelTools.Models;

/// <summary>Builds the pieces of a scripted model (see <see cref="LlamaWeights.CreateScripted"/>) in one call.</summary>
public static class ScriptedModelFactory
{
    /// <summary>
    /// Tokens (built-in vocabulary, 384): "Hello", " 世界", then 🌍 split over several tokens (the corpus never
    /// contains it), "!", " The", " end", ".".
    /// </summary>
    public const string DefaultScript = "Hello 世界 🌍! The end.";
    public const int DefaultVocabSize = 384;

    public static (LlamaModelSpec Spec, BpeVocabulary Vocabulary, LlamaWeights Weights) Create(
        string script, int vocabSize = DefaultVocabSize, string? corpus = null, int contextLength = 2048)
    {
        var vocabulary = ByteLevelBpeTrainer.Train(corpus ?? BuiltInCorpus.Text, vocabSize, []);
        var spec = LlamaModelSpec.ForScripted(vocabulary.Count, contextLength);
        return (spec, vocabulary, LlamaWeights.CreateScripted(spec, vocabulary, script));
    }

    /// <summary>
    /// A scripted model that writes <paramref name="pieces"/> (then end-of-text), each piece one token: pieces the
    /// trained vocabulary lacks are added as normal tokens, so a script may repeat characters (JSON, tool calls) as
    /// long as the pieces themselves are distinct. After the token for <paramref name="alternateTrigger"/> (a text
    /// that must be one token of the trained vocabulary) it writes <paramref name="alternatePieces"/> instead.
    /// </summary>
    public static (LlamaModelSpec Spec, BpeVocabulary Vocabulary, LlamaWeights Weights) CreateFromPieces(
        IReadOnlyList<string> pieces, string? alternateTrigger = null, IReadOnlyList<string>? alternatePieces = null,
        int vocabSize = DefaultVocabSize, int contextLength = 2048)
    {
        var trained = ByteLevelBpeTrainer.Train(BuiltInCorpus.Text, vocabSize, []);
        var tokens = trained.Tokens.ToList();
        var types = trained.TokenTypes.ToList();
        int Id(string piece)
        {
            var text = ByteUnicodeMap.Encode(System.Text.Encoding.UTF8.GetBytes(piece));
            var index = tokens.IndexOf(text);
            if (index >= 0) return index;
            tokens.Add(text);
            types.Add(TokenType.Normal);
            return tokens.Count - 1;
        }

        var main = pieces.Select(Id).ToArray();
        var alternate = alternatePieces?.Select(Id).ToArray();
        var vocabulary = new BpeVocabulary(tokens, types, trained.Merges);
        var alternates = new List<(int, int[])>();
        if (alternateTrigger is not null && alternate is not null)
        {
            var trigger = vocabulary.Encode(alternateTrigger, parseSpecial: true);
            if (trigger.Length != 1) throw new ArgumentException($"'{alternateTrigger}' is not one token.", nameof(alternateTrigger));
            alternates.Add((trigger[0], alternate));
        }

        var spec = LlamaModelSpec.ForScripted(vocabulary.Count, contextLength);
        return (spec, vocabulary, LlamaWeights.CreateScripted(spec, vocabulary, main, alternates));
    }
}
