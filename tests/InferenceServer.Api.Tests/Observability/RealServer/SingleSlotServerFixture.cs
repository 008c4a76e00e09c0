namespace InferenceServer.Api.Tests.Observability.RealServer;

/// <summary>A real server process with one sequence slot (Engine:MaxSequences=1), so concurrent requests queue.</summary>
public sealed class SingleSlotServerFixture : ServerProcessFixture
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Engine__MaxSequences"] = "1",
        ["Engine__QueueCapacity"] = "16",
    };
}
