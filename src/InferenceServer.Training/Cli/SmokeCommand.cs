using System.Diagnostics;
using InferenceServer.Training.Data;
using InferenceServer.Training.Model;
using InferenceServer.Training.Native;
using InferenceServer.Training.Training;

namespace InferenceServer.Training.Cli;

/// <summary>Engine smoke test: a random tiny model learns a synthetic copy task (no tokenizer involved).</summary>
internal static class SmokeCommand
{
    public static int Run(int steps, int threads)
    {
        GgmlLibraryResolver.EnsureRegistered();
        var backend = GgmlBackend.ggml_backend_cpu_init();
        GgmlBackend.ggml_backend_cpu_set_n_threads(backend, threads);
        var config = new ModelConfig(64, 64, 2, 4, 2, 128, 64);
        using var model = TrainableModel.CreateRandom(config, backend, 1);
        using var session = new OptimizationSession(model, backend, 32, 4);
        var rng = new DeterministicRandom(7);
        var batch = new TokenBatch(32, 4);
        var sw = Stopwatch.StartNew();
        for (var step = 0; step < steps; step++)
        {
            for (var row = 0; row < 4; row++)
            {
                // first half random, second half repeats it: copy task
                for (var i = 0; i < 16; i++) batch.Tokens[row * 32 + i] = batch.Tokens[row * 32 + 16 + i] = rng.Next(1, 64);
                for (var i = 0; i < 32; i++) batch.Targets[row * 32 + i] = (batch.Tokens[row * 32 + i] * 7 + 3) % 64;
            }
            session.SetOptimizer(new OptimizerSettings(3e-3f));
            var before = model.ReadTensor("blk.0.attn_q.weight")[5];
            var loss = session.TrainStep(batch);
            if (step < 3) Console.WriteLine($"w {before} -> {model.ReadTensor("blk.0.attn_q.weight")[5]}");
            if (step % 10 == 0 || step == steps - 1) Console.WriteLine($"step {step,4} loss {loss:F4} ({sw.Elapsed.TotalSeconds:F1}s)");
        }
        GgmlBackend.ggml_backend_free(backend);
        return 0;
    }
}
