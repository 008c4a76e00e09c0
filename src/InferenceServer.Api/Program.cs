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

app.MapServerObservability();
app.UseInferenceServerApi();
app.MapOpenAiEndpoints();

app.Run();

/// <summary>Entry point marker for WebApplicationFactory.</summary>
public partial class Program;
