namespace InferenceServer.ModelTools.Tokenization;

/// <summary>Special (control) tokens every vocabulary this tool trains contains.</summary>
public static class SpecialTokens
{
    public const string EndOfText = "<|endoftext|>";
    public const string ImStart = "<|im_start|>";
    public const string ImEnd = "<|im_end|>";

    public static IReadOnlyList<string> Required { get; } = [EndOfText, ImStart, ImEnd];

    /// <summary>Name pattern of the filler control tokens used to pad a vocabulary to an exact size.</summary>
    public static string Reserved(int index) => $"<|reserved_{index}|>";
}

/// <summary>llama.cpp token types (<c>tokenizer.ggml.token_type</c>).</summary>
public enum TokenType
{
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}
