using Microsoft.Extensions.Logging;

namespace InferenceServer.Core.Embeddings;

/// <summary>Source-generated log methods of the embedding worker (event ids 1100-1119).</summary>
internal static partial class EmbeddingLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information,
        Message = "Embedding context ready: {Dimensions} dimensions, {Pooling} pooling, {MaxBatchTokens} tokens and {MaxInputs} inputs per decode")]
    public static partial void Started(ILogger logger, int dimensions, string pooling, int maxBatchTokens, int maxInputs);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Error, Message = "Embedding {Inputs} inputs failed")]
    public static partial void Failed(ILogger logger, int inputs, Exception exception);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Error, Message = "The embedding context could not be created; /v1/embeddings stays unavailable")]
    public static partial void CreateFailed(ILogger logger, Exception exception);
}
