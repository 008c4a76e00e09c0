using InferenceServer.Api.Observability.Metrics;
using InferenceServer.Core.Options;

namespace InferenceServer.Api.Tests.Observability;

public sealed class ServedModelNameTests
{
    [Fact]
    public void Configured_id_wins_else_the_file_name()
    {
        Assert.Equal("my-model", ServedModelName.FromOptions(new ModelOptions { Id = "my-model", Path = "models/x.gguf" }));
        Assert.Equal("qwen2-0.5b", ServedModelName.FromOptions(new ModelOptions { Path = "/models/qwen2-0.5b.gguf" }));
    }

    [Fact]
    public void Loaded_engine_reports_its_own_id()
    {
        var engine = new FakeInferenceEngine { ModelId = "from-engine" };
        Assert.Equal("default", ServedModelName.Resolve(engine, new ModelOptions()));
        engine.SetReady(true);
        Assert.Equal("from-engine", ServedModelName.Resolve(engine, new ModelOptions()));
    }
}
