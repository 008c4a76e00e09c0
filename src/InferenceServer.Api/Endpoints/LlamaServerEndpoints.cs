using System.Reflection;
using InferenceServer.Api.Http;
using InferenceServer.Api.Observability.Swagger;
using InferenceServer.Core.Engine;
using InferenceServer.Core.Generation;
using InferenceServer.Core.Templates;
using InferenceServer.OpenAI.Json;
using InferenceServer.OpenAI.Protocol;
using InferenceServer.OpenAI.Validation;

namespace InferenceServer.Api.Endpoints;

/// <summary>llama-server compatible POST /apply-template and GET /props.</summary>
public static class LlamaServerEndpoints
{
    public static IEndpointRouteBuilder MapApplyTemplate(this IEndpointRouteBuilder app)
    {
        app.MapPost("/apply-template", async (HttpContext context, ChatPromptBuilder prompts, ILogger<ChatPromptBuilder> logger) =>
            {
                var request = await JsonBody.ReadAsync(context, OpenAiJsonContext.Default.ChatCompletionRequest);
                JsonBody.LogIgnoredFields(logger, "apply-template", request);
                ChatRequestValidator.ValidateMessages(request.Messages);
                return Results.Json(new ApplyTemplateResponse(prompts.Build(request).Text), OpenAiJsonContext.Default.ApplyTemplateResponse);
            })
            .WithName("ApplyTemplate")
            .WithSummary("Renders a chat request (messages, tools, chat_template_kwargs, model or prompt_template) with the model's chat template; generates nothing.")
            .WithMetadata(new JsonRequestBody(typeof(ChatCompletionRequest)))
            .Produces<ApplyTemplateResponse>(StatusCodes.Status200OK)
            .Produces<ErrorResponse>(StatusCodes.Status400BadRequest)
            .WithTags("Extensions");
        return app;
    }

    public static IEndpointRouteBuilder MapProps(this IEndpointRouteBuilder app)
    {
        app.MapGet("/props", (IInferenceEngine engine) => Results.Json(Props(engine), OpenAiJsonContext.Default.PropsResponse))
            .WithName("Props")
            .WithSummary("llama-server compatible server properties: chat template, BOS/EOS, slots, context, default sampling.")
            .Produces<PropsResponse>(StatusCodes.Status200OK)
            .WithTags("Extensions");
        return app;
    }

    private static PropsResponse Props(IInferenceEngine engine)
    {
        var model = engine.Model;
        var template = engine.ChatTemplate;
        var defaults = SamplingParameters.Default;
        return new PropsResponse
        {
            DefaultGenerationSettings = new DefaultGenerationSettings
            {
                NCtx = model.MaxSequenceLength,
                Params = new GenerationDefaults
                {
                    Temperature = defaults.Temperature,
                    TopK = defaults.TopK,
                    TopP = defaults.TopP,
                    MinP = defaults.MinP,
                    PresencePenalty = defaults.PresencePenalty,
                    FrequencyPenalty = defaults.FrequencyPenalty,
                    RepeatPenalty = defaults.RepetitionPenalty,
                    IgnoreEos = defaults.IgnoreEos,
                },
            },
            TotalSlots = model.MaxSequences,
            ModelAlias = model.Id,
            ChatTemplate = template.Source ?? template.Name,
            ChatTemplateToolUse = (template as JinjaChatTemplate)?.ToolUseSource,
            BosToken = template.BosToken,
            EosToken = template.EosToken,
            BuildInfo = "inferenceserver-" + (typeof(LlamaServerEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown"),
        };
    }
}
