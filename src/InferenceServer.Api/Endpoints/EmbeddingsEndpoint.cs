using InferenceServer.Api.Http;
using InferenceServer.Api.Observability.Swagger;
using InferenceServer.Core.Diagnostics;
using InferenceServer.Core.Embeddings;
using InferenceServer.Core.Engine;
using InferenceServer.Core.Generation;
using InferenceServer.OpenAI.Json;
using InferenceServer.OpenAI.Mapping;
using InferenceServer.OpenAI.Protocol;
using InferenceServer.OpenAI.Validation;

namespace InferenceServer.Api.Endpoints;

/// <summary>POST /v1/embeddings (OpenAI shape), served by the separate embedding context.</summary>
public static class EmbeddingsEndpoint
{
    public static IEndpointRouteBuilder MapEmbeddings(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/embeddings", (HttpContext context, EmbeddingsHandler handler) => handler.HandleAsync(context))
            .WithName("CreateEmbedding")
            .WithSummary("OpenAI embeddings: input as string, string[], int[] or int[][]; encoding_format float or base64; L2-normalized vectors.")
            .WithMetadata(new JsonRequestBody(typeof(EmbeddingRequest)))
            .Produces<EmbeddingResponse>(StatusCodes.Status200OK)
            .Produces<ErrorResponse>(StatusCodes.Status400BadRequest)
            .Produces<ErrorResponse>(StatusCodes.Status404NotFound)
            .Produces<ErrorResponse>(StatusCodes.Status429TooManyRequests)
            .Produces<ErrorResponse>(StatusCodes.Status503ServiceUnavailable)
            .WithTags("OpenAI");
        return app;
    }
}

/// <summary>Validate, resolve the model, tokenize (on the request thread), queue for the embedding worker, answer.</summary>
public sealed class EmbeddingsHandler(
    IInferenceEngine engine,
    EmbeddingService embeddings,
    ServedModel servedModel,
    TimeProvider time,
    IRequestMetrics metrics,
    ILogger<EmbeddingsHandler> logger)
{
    public async Task HandleAsync(HttpContext context)
    {
        var request = await JsonBody.ReadAsync(context, OpenAiJsonContext.Default.EmbeddingRequest);
        var recorder = new RequestRecorder(metrics, time, GenerationOperation.Embeddings, streaming: false) { RequestedModel = request.Model ?? "" };
        try
        {
            JsonBody.LogIgnoredFields(logger, "embeddings", request);
            EmbeddingRequestValidator.Validate(request);
            var modelId = servedModel.Resolve(request.Model!);
            var info = embeddings.Info;
            var dimensions = EmbeddingRequestValidator.Dimensions(request, info.Dimensions, embeddings.AllowShortenedDimensions);
            var inputs = Tokenize(request.Input!);
            var vectors = await embeddings.EmbedAsync(inputs, context.RequestAborted);
            var promptTokens = inputs.Sum(i => i.Count);
            var response = EmbeddingResponseMapper.ToResponse(vectors, modelId, request.EncodingFormat == "base64", dimensions, promptTokens);
            context.Response.ContentType = "application/json";
            await System.Text.Json.JsonSerializer.SerializeAsync(context.Response.Body, response, OpenAiJsonContext.Default.EmbeddingResponse, context.RequestAborted);
            recorder.Success(new Usage(promptTokens, 0), null, null);
        }
        catch (Exception ex)
        {
            recorder.Failure(ex, context.RequestAborted.IsCancellationRequested);
            throw;
        }
    }

    private IReadOnlyList<IReadOnlyList<int>> Tokenize(PromptInput input)
    {
        var tokenizer = engine.Tokenizer;
        if (input.TokenLists is { } lists)
        {
            foreach (var list in lists)
            {
                TokenChecks.TokenIds(list, tokenizer.VocabSize, "input");
            }

            return lists;
        }

        return input.Texts!.Select(t => (IReadOnlyList<int>)tokenizer.Tokenize(t, addSpecial: true, parseSpecial: true)).ToList();
    }
}
