using InferenceServer.Api.Composition;
using InferenceServer.Api.Observability;
using InferenceServer.Core;
using InferenceServer.LlamaSharp;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddInferenceEngine(builder.Configuration);
builder.Services.AddLlamaSharpBackend();
builder.Services.AddInferenceServerApi(builder.Configuration);
builder.AddServerObservability();

var app = builder.Build();
if (!app.ConfigurationIsValid())
{
    return 1;
}

app.MapServerObservability();
app.UseInferenceServerApi();
app.MapOpenAiEndpoints();

app.Run();
return Environment.ExitCode; // 1 when the model failed to load

/// <summary>Entry point marker for WebApplicationFactory.</summary>
public partial class Program;
