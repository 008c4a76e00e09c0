namespace InferenceServer.Core.Generation;

/// <summary>A chat turn as the prompt renderer sees it: role (system, user, assistant, tool, developer) and text.</summary>
public sealed record ChatMessage(string Role, string Content);
