using InferenceServer.Api.Tests.RealEngine;
using InferenceServer.TestKit;

namespace InferenceServer.Api.Tests.Tools;

/// <summary>The server on a scripted tool-calling model of one family (see <see cref="ToolCallingModels"/>).</summary>
public abstract class ToolModelFactory(ToolFamily family)
    : RealEngineFactory(new RealEngineSettings(ToolCallingModels.Path(family), "tool-" + family.ToString().ToLowerInvariant()))
{
    public ToolFamily Family { get; } = family;
}

public sealed class HermesModelFactory() : ToolModelFactory(ToolFamily.Hermes);

public sealed class Llama3ModelFactory() : ToolModelFactory(ToolFamily.Llama3);

public sealed class MistralModelFactory() : ToolModelFactory(ToolFamily.Mistral);

public sealed class GenericModelFactory() : ToolModelFactory(ToolFamily.Generic);
