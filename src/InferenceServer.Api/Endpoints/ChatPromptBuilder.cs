using InferenceServer.Api.Templates;
using InferenceServer.Core.Engine;
using InferenceServer.Core.Templates;
using InferenceServer.OpenAI.Mapping;
using InferenceServer.OpenAI.Protocol;

namespace InferenceServer.Api.Endpoints;

/// <summary>The rendered prompt of a chat request and the model id its response names.</summary>
public sealed record ChatPrompt(string ModelId, string Text);

/// <summary>
/// Turns a validated chat request into prompt text: resolves the model (or template model), applies the prompt
/// template ("prompt_template" wins over the model's), then renders the conversation, tools and
/// <c>chat_template_kwargs</c> with the model's chat template. Shared by /v1/chat/completions and /apply-template.
/// </summary>
public sealed class ChatPromptBuilder(IInferenceEngine engine, ServedModel servedModel, PromptTemplateCatalog templates)
{
    /// <summary>Renders <paramref name="request"/>; a request without "model" (allowed by /apply-template) uses the
    /// served model. <paramref name="adapt"/> rewrites the conversation before rendering (tool instructions and
    /// calls as text for templates without tool support).</summary>
    public ChatPrompt Build(ChatCompletionRequest request, Func<IReadOnlyList<Core.Generation.ChatMessage>, IReadOnlyList<Core.Generation.ChatMessage>>? adapt = null)
    {
        var route = request.Model is null ? new ModelRoute(engine.Model.Id, null) : servedModel.Route(request.Model);
        var template = templates.Find(request.PromptTemplate) ?? route.Template;
        var messages = ChatRequestMapper.ToMessages(request);
        if (template is not null)
        {
            messages = PromptTemplateRenderer.ApplyToChat(template, messages, request.Context);
        }

        if (adapt is not null)
        {
            messages = adapt(messages);
        }

        return new ChatPrompt(route.Id, engine.ChatTemplate.Render(ChatRequestMapper.ToTemplateInput(request, messages)));
    }
}
