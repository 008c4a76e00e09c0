namespace InferenceServer.OpenAI.Protocol;

/// <summary>GET /v1/models.</summary>
public sealed record ModelList
{
    public string Object { get; init; } = "list";
    public required IReadOnlyList<ModelObject> Data { get; init; }
}

public sealed record ModelObject
{
    public required string Id { get; init; }
    public string Object { get; init; } = "model";
    public required long Created { get; init; }
    public string OwnedBy { get; init; } = "inferenceserver";
}

/// <summary>{"error": {...}}: all four keys always present; code is a string or null.</summary>
public sealed record ErrorResponse(ErrorBody Error);

public sealed record ErrorBody(string Message, string Type, string? Param, string? Code);

/// <summary>llama-server compatible POST /tokenize.</summary>
public sealed class TokenizeRequest
{
    public string? Content { get; init; }
    public bool? AddSpecial { get; init; }
    public bool? ParseSpecial { get; init; }
    public bool? WithPieces { get; init; }
}

public sealed record TokenizeResponse(IReadOnlyList<int> Tokens);

public sealed record TokenizeWithPiecesResponse(IReadOnlyList<TokenPiece> Tokens);

public sealed record TokenPiece(int Id, string Piece);

/// <summary>llama-server compatible POST /detokenize.</summary>
public sealed class DetokenizeRequest
{
    public List<int>? Tokens { get; init; }
}

public sealed record DetokenizeResponse(string Content);

/// <summary>GET /v1/prompt_templates (extension).</summary>
public sealed record PromptTemplateList
{
    public string Object { get; init; } = "list";
    public required IReadOnlyList<PromptTemplateDto> Data { get; init; }
}

public sealed record PromptTemplateDto
{
    public required string Name { get; init; }
    public required string? SystemPrompt { get; init; }
    public required string UserTemplate { get; init; }
    public required IReadOnlyList<PromptExampleDto> Examples { get; init; }
}

public sealed record PromptExampleDto(string User, string Assistant);
