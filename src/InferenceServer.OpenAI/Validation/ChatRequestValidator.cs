using System.Text.Json;
using InferenceServer.Core.Errors;
using InferenceServer.OpenAI.Protocol;

namespace InferenceServer.OpenAI.Validation;

/// <summary>Checks a chat request against the OpenAI spec and what this server can honour. Throws
/// <see cref="InferenceException"/> (InvalidRequest) with the offending param.</summary>
public static class ChatRequestValidator
{
    public static readonly IReadOnlySet<string> SupportedRoles = new HashSet<string>(StringComparer.Ordinal)
    {
        "system", "developer", "user", "assistant", "tool",
    };

    public static void Validate(ChatCompletionRequest request)
    {
        ParamChecks.Model(request.Model);
        ValidateMessages(request.Messages);
        ParamChecks.Sampling(request.Temperature, request.TopP, request.PresencePenalty, request.FrequencyPenalty, request.N, request.TopK, request.MinP, request.RepetitionPenalty);
        ParamChecks.Range(request.MaxTokens, 1, int.MaxValue, "max_tokens");
        ParamChecks.Range(request.MaxCompletionTokens, 1, int.MaxValue, "max_completion_tokens");
        ParamChecks.Stop(request.Stop);
        ParamChecks.LogitBias(request.LogitBias);
        ParamChecks.Range(request.TopLogprobs, 0, 20, "top_logprobs");
        if (request.TopLogprobs is not null && request.Logprobs != true)
        {
            throw InferenceException.Invalid("Invalid value for 'top_logprobs': 'logprobs' must be set to true when 'top_logprobs' is used.", "top_logprobs");
        }

        ParamChecks.StreamOptions(request.Stream, request.StreamOptions);
        ParamChecks.BeamSearch(request.UseBeamSearch, request.BeamWidth, request.LengthPenalty, request.N, request.Stream);
        ValidateUnsupported(request);
    }

    /// <summary>The messages alone (roles, content, parts, tool calls only on assistant turns).</summary>
    public static void ValidateMessages(List<ChatMessageDto?>? messages)
    {
        if (messages is null)
        {
            throw InferenceException.Invalid("Missing required parameter: 'messages'.", "messages", "missing_required_parameter");
        }

        if (messages.Count == 0)
        {
            throw InferenceException.Invalid("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", "messages", "empty_array");
        }

        for (var i = 0; i < messages.Count; i++)
        {
            var param = $"messages[{i}]";
            var message = messages[i] ?? throw InferenceException.Invalid($"Invalid type for '{param}': expected an object, but got null instead.", param, "invalid_type");
            if (message.Role is null)
            {
                throw InferenceException.Invalid($"Missing required parameter: '{param}.role'.", $"{param}.role", "missing_required_parameter");
            }

            if (message.Role == "function")
            {
                throw ParamChecks.Unsupported("The deprecated 'function' role", $"{param}.role");
            }

            if (!SupportedRoles.Contains(message.Role))
            {
                throw InferenceException.Invalid($"Invalid value: '{message.Role}'. Supported values are: 'system', 'assistant', 'user', 'tool', and 'developer'.", $"{param}.role", "invalid_value");
            }

            if (message.Content is null && message.Role != "assistant")
            {
                throw InferenceException.Invalid($"Missing required parameter: '{param}.content'.", $"{param}.content", "missing_required_parameter");
            }

            if (message.ToolCalls is { ValueKind: not JsonValueKind.Null } && message.Role != "assistant")
            {
                throw InferenceException.Invalid($"Invalid parameter: '{param}.tool_calls' is only allowed on assistant messages.", $"{param}.tool_calls", "invalid_value");
            }

            if (message.Content?.Parts is { } parts)
            {
                for (var p = 0; p < parts.Count; p++)
                {
                    var partParam = $"{param}.content[{p}]";
                    switch (parts[p].Type)
                    {
                        case "text":
                            if (parts[p].Text is null)
                            {
                                throw InferenceException.Invalid($"Missing required parameter: '{partParam}.text'.", $"{partParam}.text", "missing_required_parameter");
                            }

                            break;
                        case "image_url" or "input_audio" or "file" or "refusal":
                            throw ParamChecks.Unsupported($"Content part type '{parts[p].Type}'", $"{partParam}.type");
                        default:
                            throw InferenceException.Invalid($"Invalid value: '{parts[p].Type}'. Supported values are: 'text', 'image_url', 'input_audio', 'refusal', and 'file'.", $"{partParam}.type", "invalid_value");
                    }
                }
            }
        }
    }

    private static void ValidateUnsupported(ChatCompletionRequest request)
    {
        if (request.Functions is { Count: > 0 } || request.FunctionCall is { ValueKind: not JsonValueKind.Null })
        {
            throw ParamChecks.Unsupported("Function calling", request.Functions is { Count: > 0 } ? "functions" : "function_call");
        }

        Mapping.ResponseFormatMapper.Validate(request.ResponseFormat);

        if (request.Modalities is { } modalities && modalities.Any(m => m != "text"))
        {
            throw ParamChecks.Unsupported("Output modalities other than 'text'", "modalities");
        }

        if (request.Audio is { ValueKind: not JsonValueKind.Null })
        {
            throw ParamChecks.Unsupported("Audio output", "audio");
        }
    }
}
