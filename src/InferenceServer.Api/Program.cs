using InferenceServer.Api.Composition;
using InferenceServer.Core;
using InferenceServer.LlamaSharp;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddInferenceEngine(builder.Configuration);
builder.Services.AddLlamaSharpBackend();
builder.Services.AddInferenceServerApi(builder.Configuration);

var app = builder.Build();

app.UseInferenceServerApi();
app.MapOpenAiEndpoints();

app.Run();

/// <summary>Entry point marker for WebApplicationFactory.</summary>
public partial class Program;
