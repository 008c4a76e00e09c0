using System.Text.Json;

namespace InferenceServer.Core.Generation;

/// <summary>
/// A function the client offers the model (an entry of OpenAI <c>tools</c>). <see cref="Declaration"/> is the entry
/// exactly as the request sent it (<c>{"type": "function", "function": {...}}</c>), which is what chat templates see.
/// </summary>
public sealed record ToolDefinition(string Name, string? Description, JsonElement? Parameters, JsonElement Declaration);
