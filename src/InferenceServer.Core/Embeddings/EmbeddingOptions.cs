using Microsoft.Extensions.Options;

namespace InferenceServer.Core.Embeddings;

/// <summary>The "Embeddings" section: the separate embedding context behind POST /v1/embeddings.</summary>
public sealed class EmbeddingOptions
{
    public const string SectionName = "Embeddings";

    /// <summary>Build the embedding context at model load (false: /v1/embeddings answers 400 unsupported).</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>KV cells of the embedding context = most tokens in one decode (and the longest input, capped at the
    /// model's training context).</summary>
    public int ContextSize { get; set; } = 2048;
    /// <summary>Most inputs decoded together (sequences of the embedding context).</summary>
    public int MaxInputsPerDecode { get; set; } = 32;
    /// <summary>Embedding requests waiting for the embedding worker before new ones get 429.</summary>
    public int QueueCapacity { get; set; } = 64;
    /// <summary>Accept "dimensions" below the model's size (truncate, then re-normalize). Only meaningful for
    /// Matryoshka-trained models; off by default, so "dimensions" other than the model's size is refused.</summary>
    public bool AllowShortenedDimensions { get; set; }
}

/// <summary>Startup validation of the "Embeddings" section.</summary>
public sealed class EmbeddingOptionsValidator : IValidateOptions<EmbeddingOptions>
{
    public ValidateOptionsResult Validate(string? name, EmbeddingOptions options)
    {
        var errors = new List<string>();
        if (options.ContextSize < 8)
        {
            errors.Add($"Embeddings:ContextSize must be at least 8; got {options.ContextSize}.");
        }

        if (options.MaxInputsPerDecode is < 1 or > 256)
        {
            errors.Add($"Embeddings:MaxInputsPerDecode must be between 1 and 256; got {options.MaxInputsPerDecode}.");
        }

        if (options.QueueCapacity < 0)
        {
            errors.Add($"Embeddings:QueueCapacity must be 0 or more; got {options.QueueCapacity}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
