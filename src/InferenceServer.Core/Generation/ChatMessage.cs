namespace InferenceServer.Core.Generation;

/// <summary>
/// A chat turn as the prompt renderer sees it, shaped like an OpenAI message: role (system, user, assistant, tool,
/// developer), text content (null for an assistant turn that only calls tools), and the tool-calling fields.
/// </summary>
public sealed record ChatMessage(string Role, string? Content)
{
    /// <summary>Calls an assistant turn made (OpenAI <c>tool_calls</c>); null when none.</summary>
    public IReadOnlyList<ToolCall>? ToolCalls { get; init; }

    /// <summary>For a <c>tool</c> turn: the id of the call it answers (OpenAI <c>tool_call_id</c>).</summary>
    public string? ToolCallId { get; init; }

    /// <summary>OpenAI's optional participant <c>name</c> (for a tool turn, llama-server and vLLM put the function name here).</summary>
    public string? Name { get; init; }

    /// <summary>An assistant turn's reasoning text (<c>reasoning_content</c>, as vLLM and llama-server accept it).</summary>
    public string? ReasoningContent { get; init; }
}

/// <summary>A function call an assistant turn made. <see cref="Arguments"/> is the JSON text the model produced
/// (OpenAI sends it as a string; chat templates receive it parsed).</summary>
public sealed record ToolCall(string Id, string Name, string Arguments)
{
    public string Type { get; init; } = "function";
}
