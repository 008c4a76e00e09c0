using InferenceServer.Api.Http;
using InferenceServer.Api.Observability.Swagger;
using InferenceServer.Api.Streaming;
using InferenceServer.Core.Diagnostics;
using InferenceServer.Core.Engine;
using InferenceServer.Core.Generation;
using InferenceServer.Core.Scoring;
using InferenceServer.OpenAI.Ids;
using InferenceServer.OpenAI.Json;
using InferenceServer.OpenAI.Protocol;
using InferenceServer.OpenAI.Validation;

namespace InferenceServer.Api.Endpoints;

/// <summary>POST /v1/score (extension): token count, mean cross-entropy and perplexity of texts under the model.</summary>
public static class ScoreEndpoint
{
    public static IEndpointRouteBuilder MapScore(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/score", (HttpContext context, ScoreHandler handler) => handler.HandleAsync(context))
            .WithName("ScoreText")
            .WithSummary("Mean cross-entropy (nats/token) and perplexity of each input; long inputs in sliding windows (window, stride).")
            .WithMetadata(new JsonRequestBody(typeof(ScoreRequest)))
            .Produces<ScoreResponse>(StatusCodes.Status200OK)
            .Produces<ErrorResponse>(StatusCodes.Status400BadRequest)
            .Produces<ErrorResponse>(StatusCodes.Status404NotFound)
            .Produces<ErrorResponse>(StatusCodes.Status429TooManyRequests)
            .Produces<ErrorResponse>(StatusCodes.Status503ServiceUnavailable)
            .WithTags("Extensions");
        return app;
    }
}

/// <summary>
/// Every window of every input becomes one engine sequence with max_tokens 0 and prompt logprobs, all submitted at
/// once, so the windows batch together in the engine loop like any other prompts; the scored tokens' logprobs are
/// summed per input.
/// </summary>
public sealed class ScoreHandler(
    IInferenceEngine engine,
    ServedModel servedModel,
    IIdGenerator ids,
    TimeProvider time,
    IRequestMetrics metrics,
    ILogger<ScoreHandler> logger)
{
    public async Task HandleAsync(HttpContext context)
    {
        var request = await JsonBody.ReadAsync(context, OpenAiJsonContext.Default.ScoreRequest);
        var recorder = new RequestRecorder(metrics, time, GenerationOperation.Score, streaming: false) { RequestedModel = request.Model ?? "" };
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        try
        {
            JsonBody.LogIgnoredFields(logger, "score", request);
            ScoreRequestValidator.Validate(request);
            var modelId = servedModel.Resolve(request.Model!);
            var (window, stride) = ScoreRequestValidator.WindowAndStride(request, engine.Model.MaxSequenceLength);
            var texts = Tokenize(request.Input!);
            var plans = texts.Select(t => ScoreWindows.Plan(t.Count, window, stride)).ToList();
            var id = ids.NewId("score-");
            var requests = new List<GenerationRequest>();
            for (var i = 0; i < texts.Count; i++)
            {
                foreach (var w in plans[i])
                {
                    requests.Add(new GenerationRequest
                    {
                        RequestId = $"{id}-{i}-{requests.Count}",
                        PromptTokens = texts[i].Skip(w.Start).Take(w.Length).ToArray(),
                        MaxTokens = 0,
                        PromptLogprobs = 0,
                        Sampling = new SamplingParameters { Temperature = 0 },
                        Operation = GenerationOperation.Score,
                        RequestedModel = request.Model,
                    });
                }
            }

            var streams = GenerationStarter.StartAll(engine, requests, cancellation);
            var choices = await ResponseAggregator.AggregateAsync(UpdateMerger.MergeAsync(streams, cancellation.Token), requests.Count);
            ResponseAggregator.EnsureFinished(choices, context.RequestAborted);

            var data = new List<ScoreData>(texts.Count);
            var next = 0;
            for (var i = 0; i < texts.Count; i++)
            {
                var windowLogprobs = choices.Skip(next).Take(plans[i].Count)
                    .Select(c => (IReadOnlyList<double?>)c.PromptLogprobs!.Select(l => (double?)l?.Logprob).ToList())
                    .ToList();
                next += plans[i].Count;
                var score = TextScore.From(texts[i].Count, plans[i], windowLogprobs);
                data.Add(new ScoreData
                {
                    Index = i,
                    Tokens = score.Tokens,
                    ScoredTokens = score.ScoredTokens,
                    CrossEntropy = score.CrossEntropy,
                    Perplexity = score.Perplexity,
                    Windows = score.Windows,
                });
            }

            var promptTokens = requests.Sum(r => r.PromptTokens.Count);
            var response = new ScoreResponse { Data = data, Model = modelId, Window = window, Stride = stride, Usage = new EmbeddingUsage(promptTokens, promptTokens) };
            context.Response.ContentType = "application/json";
            await System.Text.Json.JsonSerializer.SerializeAsync(context.Response.Body, response, OpenAiJsonContext.Default.ScoreResponse, context.RequestAborted);
            recorder.Success(new Usage(promptTokens, 0), GenerationStarter.FirstTimings(choices), FinishReason.Length);
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
        IReadOnlyList<IReadOnlyList<int>> lists = input.TokenLists
            ?? input.Texts!.Select(t => (IReadOnlyList<int>)tokenizer.Tokenize(t, addSpecial: true, parseSpecial: true)).ToList();
        foreach (var list in lists)
        {
            TokenChecks.TokenIds(list, tokenizer.VocabSize, "input");
            if (list.Count < 2)
            {
                throw Core.Errors.InferenceException.Invalid("Invalid 'input': a text to score needs at least 2 tokens (the first one is never scored).", "input", "invalid_value");
            }
        }

        return lists;
    }
}
