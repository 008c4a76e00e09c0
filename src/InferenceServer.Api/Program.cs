using InferenceServer.Api.Composition;

var builder = WebApplication.CreateBuilder(args);

// Engine and backend (Core / LlamaSharp) are wired here once those projects land:
// builder.Services.AddInferenceEngine(builder.Configuration);
// builder.Services.AddLlamaSharpBackend();
builder.Services.AddInferenceServerApi(builder.Configuration);

var app = builder.Build();

app.UseInferenceServerApi();
app.MapOpenAiEndpoints();

app.Run();

/// <summary>Entry point marker for WebApplicationFactory.</summary>
public partial class Program;
