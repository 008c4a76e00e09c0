namespace InferenceServer.OpenAI.Protocol;

/// <summary>llama-server compatible POST /apply-template answer: the rendered prompt, nothing generated.</summary>
public sealed record ApplyTemplateResponse(string Prompt);

/// <summary>llama-server compatible GET /props (the subset that describes a served model; no file-system paths).</summary>
public sealed record PropsResponse
{
    public required DefaultGenerationSettings DefaultGenerationSettings { get; init; }
    public required int TotalSlots { get; init; }
    public required string ModelAlias { get; init; }
    /// <summary>The Jinja source in use, or the llama.cpp built-in name for a model without a template.</summary>
    public required string ChatTemplate { get; init; }
    /// <summary>The GGUF's separate template for requests with tools, when it has one.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? ChatTemplateToolUse { get; init; }
    public required string BosToken { get; init; }
    public required string EosToken { get; init; }
    public PropsModalities Modalities { get; init; } = new(false, false);
    public required string BuildInfo { get; init; }
}

public sealed record PropsModalities(bool Vision, bool Audio);

/// <summary>The per-slot context and the sampling defaults a request gets when it sets nothing.</summary>
public sealed record DefaultGenerationSettings
{
    public required int NCtx { get; init; }
    public required GenerationDefaults Params { get; init; }
}

/// <summary>llama-server's <c>params</c> names; values are this server's (OpenAI) defaults.</summary>
public sealed record GenerationDefaults
{
    /// <summary>-1: until the context is full or the model stops.</summary>
    public int NPredict { get; init; } = -1;
    public required double Temperature { get; init; }
    public required int TopK { get; init; }
    public required double TopP { get; init; }
    public required double MinP { get; init; }
    public required double PresencePenalty { get; init; }
    public required double FrequencyPenalty { get; init; }
    public required double RepeatPenalty { get; init; }
    public required bool IgnoreEos { get; init; }
    public bool Stream { get; init; }
}
