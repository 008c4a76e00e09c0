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
}
