using InferenceServer.Core.Engine;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Options;
using InferenceServer.Core.Templates;
using LLama.Native;

namespace InferenceServer.LlamaSharp;

/// <summary>
/// Chooses the model's chat template, in this order: <c>Model:ChatTemplateFile</c> (Jinja), <c>Model:ChatTemplate</c>
/// (Jinja source, or a llama.cpp built-in name when it is one line without braces), the GGUF's
/// <c>tokenizer.chat_template</c> (Jinja, with <c>tokenizer.chat_template.tool_use</c> for requests with tools), and
/// for a model without a template llama.cpp's built-in chatml. Jinja that does not parse stops the load with its
/// line and column.
/// </summary>
internal static class ChatTemplateSelection
{
    public static IChatTemplate Select(SafeLlamaModelHandle model, ModelOptions options, string modelPath, TimeProvider time)
    {
        var vocab = model.Vocab;
        var tokens = new TokenTexts(vocab.LLamaTokenToString(vocab.BOS, true) ?? "", vocab.LLamaTokenToString(vocab.EOS, true) ?? "", vocab.ShouldAddBOS);
        if (!string.IsNullOrWhiteSpace(options.ChatTemplateFile))
        {
            var path = ModelPathResolver.TryResolve(options.ChatTemplateFile)
                ?? throw new InferenceException(InferenceErrorKind.Internal, $"Model:ChatTemplateFile '{options.ChatTemplateFile}' was not found.");
            return JinjaChatTemplate.Compile("custom", File.ReadAllText(path), null, $"Model:ChatTemplateFile '{options.ChatTemplateFile}'", tokens, time);
        }

        if (!string.IsNullOrWhiteSpace(options.ChatTemplate))
        {
            var configured = options.ChatTemplate;
            return IsBuiltInName(configured)
                ? LlamaSharpChatTemplate.CreateBuiltIn(configured.Trim(), configured.Trim(), $"Model:ChatTemplate '{configured.Trim()}'", tokens.Bos, tokens.Eos)
                : JinjaChatTemplate.Compile("custom", configured, null, "Model:ChatTemplate", tokens, time);
        }

        if (model.GetTemplate(null, strict: false) is { Length: > 0 } embedded)
        {
            var toolUse = model.GetTemplate("tool_use", strict: false) is { Length: > 0 } t ? t : null;
            return JinjaChatTemplate.Compile("gguf", embedded, toolUse, $"the tokenizer.chat_template of '{modelPath}'", tokens, time);
        }

        return LlamaSharpChatTemplate.CreateBuiltIn(LlamaSharpChatTemplate.DefaultTemplate, LlamaSharpChatTemplate.DefaultTemplate, "the default chatml template", tokens.Bos, tokens.Eos);
    }

    /// <summary>A llama.cpp built-in template name (chatml, llama3, mistral-v7, ...) rather than Jinja source.</summary>
    public static bool IsBuiltInName(string value)
    {
        var trimmed = value.Trim();
        return trimmed.Length is > 0 and <= 64 && !trimmed.Contains('\n') && !trimmed.Contains('{') && !trimmed.Contains('%');
    }
}
