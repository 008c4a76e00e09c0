using InferenceServer.Api.Http;
using InferenceServer.Api.Observability.Swagger;
using InferenceServer.Api.Streaming;
using InferenceServer.Api.Templates;
using InferenceServer.Core.Diagnostics;
using InferenceServer.Core.Engine;
using InferenceServer.Core.Generation;
using InferenceServer.Core.Templates;
using InferenceServer.OpenAI.Ids;
using InferenceServer.OpenAI.Json;
using InferenceServer.OpenAI.Mapping;
using InferenceServer.OpenAI.Protocol;
using InferenceServer.OpenAI.Validation;

namespace InferenceServer.Api.Endpoints;

/// <summary>POST /v1/completions (legacy text completions).</summary>
public static class CompletionsEndpoint
{
    public static IEndpointRouteBuilder MapCompletions(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/completions", (HttpContext context, CompletionsHandler handler) => handler.HandleAsync(context))
            .WithName("CreateCompletion")
            .WithSummary("OpenAI (legacy) completions; with \"stream\": true the answer is text/event-stream of text_completion chunks.")
            .WithMetadata(new JsonRequestBody(typeof(CompletionRequest)))
            .Produces<CompletionResponse>(StatusCodes.Status200OK)
            .Produces<ErrorResponse>(StatusCodes.Status400BadRequest)
            .Produces<ErrorResponse>(StatusCodes.Status404NotFound)
            .Produces<ErrorResponse>(StatusCodes.Status503ServiceUnavailable)
            .WithTags("OpenAI");
        return app;
    }
}

/// <summary>One choice per prompt x n (index = prompt_i * n + j); echo only without streaming.</summary>
public sealed class CompletionsHandler(
    IInferenceEngine engine,
    ServedModel servedModel,
    PromptTemplateCatalog templates,
    IIdGenerator ids,
    TimeProvider time,
    IRequestMetrics metrics,
    ILogger<CompletionsHandler> logger)
{
    public async Task HandleAsync(HttpContext context)
    {
        var request = await JsonBody.ReadAsync(context, OpenAiJsonContext.Default.CompletionRequest);
        var streaming = request.Stream == true;
        var recorder = new RequestRecorder(metrics, time, GenerationOperation.TextCompletion, streaming) { RequestedModel = request.Model ?? "" };
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        try
        {
            JsonBody.LogIgnoredFields(logger, "completions", request);
            CompletionRequestValidator.Validate(request);
            var (modelId, modelTemplate) = servedModel.Route(request.Model!);
            var template = templates.Find(request.PromptTemplate) ?? modelTemplate;
            var (prompts, echoTexts) = Tokenize(request, template);
            TokenChecks.LogitBias(request.LogitBias, engine.Tokenizer.VocabSize);

            var n = request.N ?? 1;
            var id = ids.NewId(IdPrefixes.Completion);
            var generationRequests = CompletionRequestMapper.ToGenerationRequests(request, prompts, id);
            var streams = GenerationStarter.StartAll(engine, generationRequests, cancellation);
            var header = new ChatResponseMapper.Header(id, time.GetUtcNow().ToUnixTimeSeconds(), modelId, request.StreamOptions?.IncludeUsage == true);
            var withLogprobs = request.Logprobs is not null;
            var merged = UpdateMerger.MergeAsync(streams, cancellation.Token);
            if (streaming)
            {
                await StreamAsync(context, header, merged, generationRequests.Count, n, withLogprobs, recorder, cancellation.Token);
            }
            else
            {
                var choices = await ResponseAggregator.AggregateAsync(merged, generationRequests.Count);
                ResponseAggregator.EnsureFinished(choices, context.RequestAborted);
                var usage = WireValues.Sum(choices.Select(c => c.Usage).ToList(), n);
                var echo = Enumerable.Range(0, choices.Count).Select(i => request.Echo == true ? echoTexts[i / n] : "").ToList();
                var response = CompletionResponseMapper.ToResponse(header, choices, echo, withLogprobs, usage);
                context.Response.ContentType = "application/json";
                await System.Text.Json.JsonSerializer.SerializeAsync(context.Response.Body, response, OpenAiJsonContext.Default.CompletionResponse, context.RequestAborted);
                recorder.Success(usage, GenerationStarter.FirstTimings(choices), choices[0].FinishReason);
            }
        }
        catch (Exception ex)
        {
            recorder.Failure(ex, context.RequestAborted.IsCancellationRequested);
            throw;
        }
    }

    /// <summary>Token ids per prompt, and the prompt text each choice echoes.</summary>
    private (IReadOnlyList<IReadOnlyList<int>> Tokens, IReadOnlyList<string> Texts) Tokenize(CompletionRequest request, CompiledPromptTemplate? template)
    {
        var tokenizer = engine.Tokenizer;
        if (request.Prompt!.TokenLists is { } lists)
        {
            if (template is not null)
            {
                throw OpenAIUnsupported("prompt_template with token-id prompts");
            }

            foreach (var list in lists)
            {
                TokenChecks.TokenIds(list, tokenizer.VocabSize, "prompt");
            }

            return (lists, lists.Select(tokenizer.Detokenize).ToList());
        }

        var texts = request.Prompt.Texts!
            .Select(t => template is null ? t : PromptTemplateRenderer.ApplyToText(template, t, request.Context))
            .ToList();
        return (texts.Select(t => (IReadOnlyList<int>)tokenizer.Tokenize(t, addSpecial: true, parseSpecial: true)).ToList(), texts);
    }

    private static Core.Errors.InferenceException OpenAIUnsupported(string what) =>
        Core.Errors.InferenceException.Invalid($"{what} is not supported by this server.", "prompt_template", "unsupported_parameter");

    private async Task StreamAsync(HttpContext context, ChatResponseMapper.Header header, IAsyncEnumerable<IndexedUpdate> merged, int choiceCount, int n, bool withLogprobs, RequestRecorder recorder, CancellationToken cancellationToken)
    {
        var sse = new SseWriter(context.Response);
        var choices = Enumerable.Range(0, choiceCount).Select(_ => new ChoiceAccumulator()).ToArray();
        var offsets = new int[choiceCount];
        var chunkInfo = OpenAiJsonContext.Default.CompletionChunk;
        try
        {
            await sse.StartAsync(cancellationToken);
            await foreach (var (index, update) in merged)
            {
                choices[index].Add(update);
                if (update.Text.Length > 0 || update.Logprobs is { Count: > 0 })
                {
                    await sse.WriteEventAsync(CompletionResponseMapper.TextChunk(header, index, update, withLogprobs, offsets[index]), chunkInfo, cancellationToken);
                    offsets[index] += update.Text.Length;
                }

                if (update.FinishReason is FinishReason.Stop or FinishReason.Length)
                {
                    await sse.WriteEventAsync(CompletionResponseMapper.FinishChunk(header, index, update.FinishReason.Value), chunkInfo, cancellationToken);
                }
            }

            ResponseAggregator.EnsureFinished(choices, cancellationToken);
            var usage = WireValues.Sum(choices.Select(c => c.Usage).ToList(), n);
            if (header.IncludeUsage)
            {
                await sse.WriteEventAsync(CompletionResponseMapper.UsageChunk(header, usage), chunkInfo, cancellationToken);
            }

            await sse.WriteDoneAsync(cancellationToken);
            recorder.Success(usage, GenerationStarter.FirstTimings(choices), choices[0].FinishReason);
        }
        catch (Exception ex) when (sse.Started && !context.RequestAborted.IsCancellationRequested)
        {
            await MidStreamErrors.WriteAsync(sse, ex, header.Id, logger);
            recorder.Failure(ex, clientGone: false);
        }
    }
}
