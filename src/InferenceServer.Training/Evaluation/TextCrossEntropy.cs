using InferenceServer.Training.Data;
using InferenceServer.Training.Model;
using InferenceServer.Training.Native;
using InferenceServer.Training.Training;

namespace InferenceServer.Training.Evaluation;

/// <summary>
/// The training tool's own cross-entropy of one token sequence: the training graph (ggml-opt, forward only, F32)
/// on the model file, one row of exactly the sequence's length, a label at every position but the last (token i + 1
/// is the target of position i). The mean over those targets in nats per token; what the server's /v1/score reports
/// for the same tokens in one window.
/// </summary>
public static class TextCrossEntropy
{
    public static double Compute(string modelPath, IReadOnlyList<int> tokens, int threads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens.Count, 2);
        GgmlLibraryResolver.EnsureRegistered();
        var backend = GgmlBackend.ggml_backend_cpu_init();
        try
        {
            GgmlBackend.ggml_backend_cpu_set_n_threads(backend, threads);
            using var model = TrainableModel.Load(modelPath, backend);
            using var session = new OptimizationSession(model, backend, tokens.Count, 1);
            var batch = new TokenBatch(tokens.Count, 1);
            for (var i = 0; i < tokens.Count; i++)
            {
                batch.Tokens[i] = tokens[i];
                batch.Targets[i] = i + 1 < tokens.Count ? tokens[i + 1] : -1;
            }

            return session.Evaluate(batch).MeanLoss;
        }
        finally
        {
            GgmlBackend.ggml_backend_free(backend);
        }
    }
}
