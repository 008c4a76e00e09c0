using LLama.Native;

namespace InferenceServer.LlamaSharp;

/// <summary>
/// Which pooling the embedding context uses. An embedding model names its pooling in the GGUF
/// (<c>{arch}.pooling_type</c>: 1 mean, 2 cls, 3 last) and gets it; a generative model (no key, 0 = none, or 4 =
/// rank, whose output is a score and not a vector) gets mean pooling of the last hidden state (after the final norm).
/// </summary>
internal static class EmbeddingPooling
{
    public static LLamaPoolingType Choose(IReadOnlyDictionary<string, string> metadata, string architecture)
    {
        if (metadata.TryGetValue($"{architecture}.pooling_type", out var raw) && int.TryParse(raw, out var value))
        {
            return value switch
            {
                1 => LLamaPoolingType.Mean,
                2 => LLamaPoolingType.CLS,
                3 => LLamaPoolingType.Last,
                _ => LLamaPoolingType.Mean,
            };
        }

        return LLamaPoolingType.Mean;
    }

    public static string Name(LLamaPoolingType pooling) => pooling switch
    {
        LLamaPoolingType.CLS => "cls",
        LLamaPoolingType.Last => "last",
        _ => "mean",
    };
}
