namespace InferenceServer.Training.Data;

/// <summary>One chat message (role is "system", "user" or "assistant").</summary>
public sealed record ChatTurn(string Role, string Content);

/// <summary>
/// A generated task: the chat messages to send (system prompt and few-shot turns included, ending with the
/// user's question) and the exact answer the assistant must give.
/// </summary>
public sealed record TaskExample(TaskKind Task, IReadOnlyList<ChatTurn> Messages, string Answer, int Shots, bool HasSystemPrompt)
{
    /// <summary>The final user question.</summary>
    public string Question => Messages[^1].Content;
}
