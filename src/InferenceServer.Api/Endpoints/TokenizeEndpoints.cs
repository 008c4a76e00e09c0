using System.Text;
using InferenceServer.Api.Http;
using InferenceServer.Api.Observability.Swagger;
using InferenceServer.Core.Engine;
using InferenceServer.Core.Errors;
using InferenceServer.OpenAI.Json;
using InferenceServer.OpenAI.Protocol;

namespace InferenceServer.Api.Endpoints;

/// <summary>llama-server compatible POST /tokenize and POST /detokenize.</summary>
public static class TokenizeEndpoints
{
    public static IEndpointRouteBuilder MapTokenize(this IEndpointRouteBuilder app)
    {
        app.MapPost("/tokenize", async (HttpContext context, IInferenceEngine engine) =>
            {
                var request = await JsonBody.ReadAsync(context, OpenAiJsonContext.Default.TokenizeRequest);
                var content = request.Content ?? throw InferenceException.Invalid("Missing required parameter: 'content'.", "content", "missing_required_parameter");
                var tokenizer = engine.Tokenizer;
                var tokens = tokenizer.Tokenize(content, request.AddSpecial ?? false, request.ParseSpecial ?? true);
                return request.WithPieces == true
                    ? Results.Json(new TokenizeWithPiecesResponse(tokens.Select(t => new TokenPiece(t, Encoding.UTF8.GetString(tokenizer.TokenBytes(t)))).ToList()), OpenAiJsonContext.Default.TokenizeWithPiecesResponse)
                    : Results.Json(new TokenizeResponse(tokens), OpenAiJsonContext.Default.TokenizeResponse);
            })
            .WithName("Tokenize")
            .WithMetadata(new JsonRequestBody(typeof(TokenizeRequest)))
            .Produces<TokenizeResponse>(StatusCodes.Status200OK)
            .Produces<ErrorResponse>(StatusCodes.Status400BadRequest)
            .WithTags("Extensions");

        app.MapPost("/detokenize", async (HttpContext context, IInferenceEngine engine) =>
            {
                var request = await JsonBody.ReadAsync(context, OpenAiJsonContext.Default.DetokenizeRequest);
                var tokens = request.Tokens ?? throw InferenceException.Invalid("Missing required parameter: 'tokens'.", "tokens", "missing_required_parameter");
                TokenChecks.TokenIds(tokens, engine.Tokenizer.VocabSize, "tokens");
                return Results.Json(new DetokenizeResponse(engine.Tokenizer.Detokenize(tokens)), OpenAiJsonContext.Default.DetokenizeResponse);
            })
            .WithName("Detokenize")
            .WithMetadata(new JsonRequestBody(typeof(DetokenizeRequest)))
            .Produces<DetokenizeResponse>(StatusCodes.Status200OK)
            .Produces<ErrorResponse>(StatusCodes.Status400BadRequest)
            .WithTags("Extensions");
        return app;
    }
}
