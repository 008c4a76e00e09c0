using InferenceServer.Training.Data;
using InferenceServer.Training.Training;

namespace InferenceServer.Training.Evaluation;

/// <summary>The training graph's cross-entropy and llama.cpp's on the same held-out tokens.</summary>
public sealed record CrossEntropyComparison(double TrainingGraph, double LlamaCpp, int Tokens)
{
    public double AbsoluteDifference => Math.Abs(TrainingGraph - LlamaCpp);
}

internal static class CrossEntropyCheck
{
    /// <summary>
    /// Fills one batch with held-out chat examples (loss on every next token), evaluates it with the training
    /// graph (forward only) and with llama.cpp inference on the saved file, row by row.
    /// </summary>
    public static CrossEntropyComparison Run(OptimizationSession session, ITokenizer tokenizer, string modelPath, int threads)
    {
        var encoder = new ExampleEncoder(tokenizer);
        var examples = HeldOutSet.Generate(200, HeldOutSet.DefaultSeed + 1);
        var i = 0;
        var packer = new BatchPacker(() => encoder.EncodeChatAllTokens(examples[i++ % examples.Count]), tokenizer.Padding);
        var batch = new TokenBatch(session.SeqLen, session.BatchSize);
        packer.Fill(batch);
        // llama.cpp decodes each row as one sequence: the training graph must see it the same way (no document mask).
        Array.Clear(batch.Documents);
        var (graphLoss, count) = session.Evaluate(batch);

        var contextSize = (session.SeqLen + 255) / 256 * 256;
        using var llama = new LlamaModelSession(modelPath, contextSize, threads, exactKvCache: true);
        double sum = 0;
        var n = 0;
        for (var row = 0; row < batch.BatchSize; row++)
        {
            var offset = row * batch.SeqLen;
            var tokens = batch.Tokens.AsSpan(offset, batch.SeqLen);
            var targets = batch.Targets.AsSpan(offset, batch.SeqLen).ToArray();
            llama.Decode(tokens, p => targets[p] >= 0, (p, logits) =>
            {
                sum += NegativeLogLikelihood(logits, targets[p]);
                n++;
            });
        }
        return new CrossEntropyComparison(graphLoss, sum / n, count);
    }

    internal static double NegativeLogLikelihood(ReadOnlySpan<float> logits, int target)
    {
        double max = double.NegativeInfinity;
        foreach (var l in logits) max = Math.Max(max, l);
        double z = 0;
        foreach (var l in logits) z += Math.Exp(l - max);
        return Math.Log(z) + max - logits[target];
    }
}
