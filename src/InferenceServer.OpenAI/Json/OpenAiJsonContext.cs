using System.Text.Json;
using System.Text.Json.Serialization;
using InferenceServer.OpenAI.Protocol;

namespace InferenceServer.OpenAI.Json;

/// <summary>Source-generated snake_case serialization for every wire type. Nulls are written (spec-required
/// nullable fields); properties that must disappear when null say so with [JsonIgnore(WhenWritingNull)].</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    ReadCommentHandling = JsonCommentHandling.Disallow,
    NumberHandling = JsonNumberHandling.Strict,
    UseStringEnumConverter = false)]
[JsonSerializable(typeof(ChatCompletionRequest))]
[JsonSerializable(typeof(CompletionRequest))]
[JsonSerializable(typeof(EmbeddingRequest))]
[JsonSerializable(typeof(ContentPart))]
[JsonSerializable(typeof(ChatCompletionResponse))]
[JsonSerializable(typeof(ChatCompletionChunk))]
[JsonSerializable(typeof(CompletionResponse))]
[JsonSerializable(typeof(CompletionChunk))]
[JsonSerializable(typeof(EmbeddingResponse))]
[JsonSerializable(typeof(UsageDto))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(ModelObject))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(TokenizeRequest))]
[JsonSerializable(typeof(TokenizeResponse))]
[JsonSerializable(typeof(TokenizeWithPiecesResponse))]
[JsonSerializable(typeof(DetokenizeRequest))]
[JsonSerializable(typeof(DetokenizeResponse))]
[JsonSerializable(typeof(PromptTemplateList))]
[JsonSerializable(typeof(ApplyTemplateResponse))]
[JsonSerializable(typeof(PropsResponse))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class OpenAiJsonContext : JsonSerializerContext;
