using InferenceServer.Api.Errors;
using InferenceServer.Api.Http;
using InferenceServer.Api.Limits;
using InferenceServer.Api.Observability.Swagger;
using InferenceServer.Api.Streaming;
using InferenceServer.Core.Diagnostics;
using InferenceServer.Core.Engine;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;
using InferenceServer.OpenAI.Ids;
using InferenceServer.OpenAI.Json;
using InferenceServer.OpenAI.Mapping;
using InferenceServer.OpenAI.Protocol;
using InferenceServer.OpenAI.Tools;
using InferenceServer.OpenAI.Validation;

namespace InferenceServer.Api.Endpoints;

/// <summary>POST /v1/chat/completions.</summary>
public static class ChatCompletionsEndpoint
{
    public static IEndpointRouteBuilder MapChatCompletions(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/chat/completions", (HttpContext context, ChatCompletionsHandler handler) => handler.HandleAsync(context))
            .WithName("CreateChatCompletion")
            .WithSummary("OpenAI chat completions; with \"stream\": true the answer is text/event-stream of chat.completion.chunk objects.")
            .WithMetadata(new JsonRequestBody(typeof(ChatCompletionRequest)))
            .Produces<ChatCompletionResponse>(StatusCodes.Status200OK)
            .Produces<ErrorResponse>(StatusCodes.Status400BadRequest)
            .Produces<ErrorResponse>(StatusCodes.Status404NotFound)
            .Produces<ErrorResponse>(StatusCodes.Status503ServiceUnavailable)
            .WithTags("OpenAI");
        return app;
    }
}

/// <summary>Validates, renders and tokenizes the conversation, runs n choices and answers in JSON or SSE.</summary>
public sealed class ChatCompletionsHandler(
    IInferenceEngine engine,
    ChatPromptBuilder prompts,
    IIdGenerator ids,
    TimeProvider time,
    IRequestMetrics metrics,
    Microsoft.Extensions.Options.IOptions<LimitsOptions> limits,
    ILogger<ChatCompletionsHandler> logger)
{
    public async Task HandleAsync(HttpContext context)
    {
        var request = await JsonBody.ReadAsync(context, OpenAiJsonContext.Default.ChatCompletionRequest);
        var streaming = request.Stream == true;
        var recorder = new RequestRecorder(metrics, time, GenerationOperation.Chat, streaming) { RequestedModel = request.Model ?? "" };
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        try
        {
            JsonBody.LogIgnoredFields(logger, "chat.completions", request);
            ChatRequestValidator.Validate(request);
            var tools = ToolCallPlanner.Plan(ToolJson.ToDefinitions(request.Tools), request.ToolChoice, request.ParallelToolCalls, engine.ChatTemplate.Source);
            var (modelId, prompt) = prompts.Build(request, tools?.Format is GenericToolCallFormat ? m => GenericToolCallFormat.Adapt(m, tools.Tools) : null);
            var id = ids.NewId(IdPrefixes.Chat);
            ApiLog.RenderedPrompt(logger, id, prompt);
            PromptSizeGuard.EnsureCanFit(engine, prompt, "messages");
            var tokens = engine.Tokenizer.Tokenize(prompt, addSpecial: true, parseSpecial: true);
            TokenChecks.LogitBias(request.LogitBias, engine.Tokenizer.VocabSize);

            var grammar = Grammar(request, tools);
            var generationRequests = ChatRequestMapper.ToGenerationRequests(request, tokens, id, grammar);
            var streams = GenerationStarter.StartAll(engine, generationRequests, cancellation, request.N ?? 1);
            var header = new ChatResponseMapper.Header(id, time.GetUtcNow().ToUnixTimeSeconds(), modelId, request.StreamOptions?.IncludeUsage == true);
            var withLogprobs = request.Logprobs == true;
            var merged = UpdateMerger.MergeAsync(streams, cancellation.Token);
            if (streaming)
            {
                await StreamAsync(context, header, merged, generationRequests.Count, withLogprobs, tools?.Format, recorder, cancellation.Token);
            }
            else
            {
                var choices = await ResponseAggregator.AggregateAsync(merged, generationRequests.Count);
                ResponseAggregator.EnsureFinished(choices, context.RequestAborted);
                choices = BeamSearchMapper.Expand(choices);
                var usage = WireValues.Sum(choices.Select(c => c.Usage).ToList(), generationRequests.Count);
                var response = ChatResponseMapper.ToResponse(header, choices, withLogprobs, usage, tools?.Format, NewCallId);
                context.Response.ContentType = "application/json";
                await System.Text.Json.JsonSerializer.SerializeAsync(context.Response.Body, response, OpenAiJsonContext.Default.ChatCompletionResponse, context.RequestAborted);
                recorder.Success(usage, GenerationStarter.FirstTimings(choices), choices[0].FinishReason);
            }
        }
        catch (Exception ex)
        {
            recorder.Failure(ex, context.RequestAborted.IsCancellationRequested);
            throw;
        }
    }

    private string NewCallId() => ids.NewId(IdPrefixes.ToolCall);

    /// <summary>The output constraint: the tool-call grammar, else response_format's (never both).</summary>
    private static GrammarConstraint? Grammar(ChatCompletionRequest request, ToolCallPlan? tools)
    {
        if (tools is null)
        {
            return ResponseFormatMapper.ToGrammar(request.ResponseFormat, request.IgnoreEos);
        }

        if (request.ResponseFormat?.Type is "json_object" or "json_schema")
        {
            throw InferenceException.Invalid("A JSON 'response_format' together with tool calls is not supported; send tool_choice \"none\" or no response_format.", "response_format", "unsupported_parameter");
        }

        if (request.IgnoreEos == true && tools.Grammar is not null)
        {
            throw InferenceException.Invalid("'ignore_eos' cannot be combined with tool calls: the output must end where the calls end.", "ignore_eos", "invalid_value");
        }

        return tools.Grammar;
    }

    private async Task StreamAsync(HttpContext context, ChatResponseMapper.Header header, IAsyncEnumerable<IndexedUpdate> merged, int choiceCount, bool withLogprobs,
        ToolCallFormat? toolFormat, RequestRecorder recorder, CancellationToken cancellationToken)
    {
        var sse = new SseWriter(context.Response, TimeSpan.FromSeconds(limits.Value.StalledClientTimeoutSeconds), logger);
        var choices = Enumerable.Range(0, choiceCount).Select(_ => new ChoiceAccumulator()).ToArray();
        var toolStreams = toolFormat is null ? null : Enumerable.Range(0, choiceCount).Select(_ => new ToolCallStream(toolFormat)).ToArray();
        var chunkInfo = OpenAiJsonContext.Default.ChatCompletionChunk;
        try
        {
            await sse.StartAsync(cancellationToken);
            for (var i = 0; i < choiceCount; i++)
            {
                await sse.WriteEventAsync(ChatResponseMapper.RoleChunk(header, i), chunkInfo, cancellationToken);
            }

            await foreach (var (index, update) in merged)
            {
                choices[index].Add(update);
                if (toolStreams is not null)
                {
                    await WriteToolEventsAsync(sse, header, index, update, withLogprobs, toolStreams[index], cancellationToken);
                    continue;
                }

                if (update.Text.Length > 0 || update.Logprobs is { Count: > 0 })
                {
                    await sse.WriteEventAsync(ChatResponseMapper.ContentChunk(header, index, update, withLogprobs), chunkInfo, cancellationToken);
                }

                if (update.FinishReason is FinishReason.Stop or FinishReason.Length)
                {
                    await sse.WriteEventAsync(ChatResponseMapper.FinishChunk(header, index, update.FinishReason.Value), chunkInfo, cancellationToken);
                }
            }

            ResponseAggregator.EnsureFinished(choices, cancellationToken);
            var usage = WireValues.Sum(choices.Select(c => c.Usage).ToList(), choiceCount);
            if (header.IncludeUsage)
            {
                await sse.WriteEventAsync(ChatResponseMapper.UsageChunk(header, usage), chunkInfo, cancellationToken);
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

    /// <summary>A tool-calling choice streams content, call starts and argument pieces; its finish reason is
    /// "tool_calls" when it made calls.</summary>
    private async Task WriteToolEventsAsync(SseWriter sse, ChatResponseMapper.Header header, int index, GenerationUpdate update, bool withLogprobs, ToolCallStream stream, CancellationToken cancellationToken)
    {
        var chunkInfo = OpenAiJsonContext.Default.ChatCompletionChunk;
        var events = update.Text.Length > 0 ? stream.Add(update.Text) : [];
        if (update.FinishReason is FinishReason.Stop or FinishReason.Length)
        {
            events = [.. events, .. stream.Finish()];
        }

        if (withLogprobs && update.Logprobs is { Count: > 0 })
        {
            // The tokens' logprobs go out in a content chunk of their own (its text is held by the call parser).
            await sse.WriteEventAsync(ChatResponseMapper.ContentChunk(header, index, update with { Text = "" }, withLogprobs), chunkInfo, cancellationToken);
        }

        foreach (var e in events)
        {
            await sse.WriteEventAsync(ChatResponseMapper.ToolEventChunk(header, index, e, NewCallId), chunkInfo, cancellationToken);
        }

        if (update.FinishReason is FinishReason.Stop or FinishReason.Length)
        {
            var finish = stream.CallCount > 0 ? ChatResponseMapper.ToolCallsFinishChunk(header, index) : ChatResponseMapper.FinishChunk(header, index, update.FinishReason.Value);
            await sse.WriteEventAsync(finish, chunkInfo, cancellationToken);
        }
    }
}
