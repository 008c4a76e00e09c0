using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using InferenceServer.ModelTools.Models;
using InferenceServer.ModelTools.Tokenization;
using InferenceServer.Training.Data;
using InferenceServer.Training.Evaluation;
using InferenceServer.Training.Model;
using InferenceServer.Training.Native;
using InferenceServer.Training.Reporting;

namespace InferenceServer.Training.Training;

/// <summary>
/// Training from scratch: task data -> BPE tokenizer -> random GGUF (foundation writer) -> ggml-opt training
/// (pretraining, instruction tuning) -> trained GGUF -> cross-entropy check against llama.cpp -> greedy
/// held-out evaluation -> loss curve + JSON summary.
/// </summary>
public sealed class TrainingPipeline(TrainingOptions options, Action<string> log, TimeProvider time)
{
    public TrainingSummary Run()
    {
        var total = Stopwatch.StartNew();
        // Before any native library starts threads: they inherit this thread's floating-point mode.
        if (options.FlushDenormals) log($"denormal floats flushed to zero (FTZ/DAZ) on the training threads: {DenormalFlush.Enable()}");
        var reportDir = options.ReportDirectory ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.OutputPath))!, "training-report");
        Directory.CreateDirectory(reportDir);
        var workDir = Path.Combine(Path.GetTempPath(), $"inferenceserver-training-{Environment.ProcessId}-{options.Seed}");
        Directory.CreateDirectory(workDir);
        try
        {
            return RunIn(workDir, reportDir, total);
        }
        finally
        {
            try { Directory.Delete(workDir, recursive: true); } catch (IOException) { }
        }
    }

    private TrainingSummary RunIn(string workDir, string reportDir, Stopwatch total)
    {
        // 1. Tokenizer: byte-level BPE learned from the task text with digits removed, so every number is
        //    spelled digit by digit (the model can then learn arithmetic that carries over to unseen pairs).
        var vocabulary = ByteLevelBpeTrainer.Train(TokenizerCorpus(), options.VocabSize, SpecialTokens.Required);
        log($"tokenizer: {vocabulary.Count} tokens, {vocabulary.Merges.Count} merges");

        // 2. A randomly initialised llama model with grouped-query attention, written by the foundation's writer.
        var spec = new LlamaModelSpec
        {
            EmbeddingLength = options.EmbeddingLength,
            BlockCount = options.BlockCount,
            HeadCount = options.HeadCount,
            HeadCountKv = options.HeadCountKv,
            FeedForwardLength = options.FeedForwardLength,
            ContextLength = options.ContextLength,
            Name = "inferenceserver-default",
        };
        var initialPath = Path.Combine(workDir, "initial.gguf");
        LlamaGgufFile.Write(initialPath, spec, vocabulary, LlamaWeights.CreateRandom(spec, vocabulary.Count, options.Seed), ChatTemplates.ChatMl);
        log($"model: embd {spec.EmbeddingLength}, {spec.BlockCount} blocks, {spec.HeadCount} heads / {spec.HeadCountKv} kv heads, ff {spec.FeedForwardLength}, " +
            $"{spec.ParameterCount(vocabulary.Count):N0} parameters");

        // 3. llama.cpp's own tokenizer for that file; the managed encoder must agree with it.
        using var tokenizer = new LlamaSharpTokenizer(initialPath);
        var parity = CheckTokenizerParity(vocabulary, tokenizer);
        log($"tokenizer parity with llama.cpp: {parity}");

        GgmlLibraryResolver.EnsureRegistered();
        var backend = GgmlBackend.ggml_backend_cpu_init();
        try
        {
            GgmlBackend.ggml_backend_cpu_set_n_threads(backend, options.Threads);
            using var model = TrainableModel.Load(initialPath, backend);
            using var session = new OptimizationSession(model, backend, options.DenseSeq, options.DenseRows, documentMask: options.DocumentMask);
            using var answerSession = new OptimizationSession(model, backend, options.SequenceLength, options.BatchSize, options.LossRows, options.DocumentMask);

            var checkedTokenizer = new CheckedTokenizer(vocabulary, tokenizer);
            var encoder = new ExampleEncoder(checkedTokenizer);
            LogLengths(encoder);
            var plain = new TaskGenerator(options.Seed, DataSplit.Train, options.DataRecipe);
            var chat = new TaskGenerator(options.Seed + 1, DataSplit.Train, options.DataRecipe);
            var pretrain = new BatchPacker(() => encoder.EncodePlain(plain.NextPlainText()), tokenizer.Padding, labelEveryPosition: true);
            var instruct = new BatchPacker(() => encoder.EncodeChat(chat.Next()), tokenizer.Padding);
            var denseChat = new TaskGenerator(options.Seed + 3, DataSplit.Train, options.DataRecipe);
            var instructDense = options.DenseChatSteps
                ? new BatchPacker(() => encoder.EncodeChat(denseChat.Next()), tokenizer.Padding, labelEveryPosition: true)
                : pretrain;

            log($"training: {(options.Steps is { } s ? $"{s} steps" : $"{options.Minutes:F1} minutes")}, {options.Threads} threads, {options.Recipe()}");
            var equationText = new TaskGenerator(options.Seed + 4, DataSplit.Train, options.DataRecipe with { EquationShare = 1.0, BindingDrillShare = 0 });
            var equations = options.EquationWarmupFraction > 0
                ? new BatchPacker(() => encoder.EncodePlain(equationText.NextPlainText()), tokenizer.Padding, labelEveryPosition: true)
                : null;
            var records = new TrainingLoop(session, answerSession, options, log).Run(pretrain, instruct, instructDense, time, equations);
            var trainingSeconds = records.Count == 0 ? 0 : records[^1].ElapsedSeconds;
            model.Save(options.OutputPath);
            log($"saved {options.OutputPath} after {records.Count} steps in {trainingSeconds:F0}s; " +
                $"{checkedTokenizer.Checked:N0} training-data tokenizations compared with llama.cpp, all identical");

            CrossEntropyComparison? ce = null;
            if (options.CrossEntropyCheck)
            {
                ce = CrossEntropyCheck.Run(session, tokenizer, options.OutputPath, options.Threads);
                log($"cross-entropy on {ce.Tokens} held-out tokens: training graph {ce.TrainingGraph:F6}, llama.cpp {ce.LlamaCpp:F6}, |diff| {ce.AbsoluteDifference:E2}");
            }

            EvaluationResult? eval = null;
            if (options.EvalExamples > 0)
            {
                log($"greedy exact match on {options.EvalExamples} held-out examples (seed {HeldOutSet.DefaultSeed}):");
                eval = GreedyEvaluator.Evaluate(options.OutputPath, HeldOutSet.Generate(options.EvalExamples, mixedPassageKinds: options.MixedPassageKinds), options.Threads, log);
            }

            var summary = new TrainingSummary
            {
                OutputPath = options.OutputPath,
                Model = model.Config,
                ParameterCount = spec.ParameterCount(vocabulary.Count),
                Seed = options.Seed,
                Recipe = options.Recipe(),
                Threads = options.Threads,
                SequenceLength = options.SequenceLength,
                BatchSize = options.BatchSize,
                Steps = records.Count,
                PretrainSteps = records.Count(r => r.Phase == "pretrain"),
                InstructSteps = records.Count(r => r.Phase == "instruct"),
                TrainingSeconds = trainingSeconds,
                TotalSeconds = total.Elapsed.TotalSeconds,
                TrainingTokens = records.Count == 0 ? 0 : records[^1].Tokens,
                FirstLoss = records.Count == 0 ? null : records[0].Loss,
                FinalPretrainLoss = TailMean(records, "pretrain"),
                FinalInstructLoss = TailMean(records, "instruct"),
                CrossEntropy = ce,
                Evaluation = eval,
                TokenizerParity = parity,
                NativeCommit = Marshal.PtrToStringUTF8(Ggml.ggml_commit()) ?? "unknown",
            };
            if (records.Count > 0)
            {
                LossPlot.Write(Path.Combine(reportDir, "loss.png"), records, $"Training loss ({summary.ParameterCount:N0} parameters, {records.Count} steps)");
                SummaryWriter.WriteSteps(Path.Combine(reportDir, "loss.csv"), records);
            }
            SummaryWriter.Write(Path.Combine(reportDir, "training-summary.json"), summary);
            log($"report: {reportDir}");
            return summary;
        }
        finally
        {
            GgmlBackend.ggml_backend_free(backend);
        }
    }

    private void LogLengths(ExampleEncoder encoder)
    {
        var g = new TaskGenerator(12345, DataSplit.Train, options.DataRecipe);
        var lengths = Enumerable.Range(0, 2000).Select(_ => encoder.EncodeChat(g.Next())).Select(e => (e.Length, Answer: e.Targets.Count(t => t >= 0))).ToList();
        var sorted = lengths.Select(l => l.Length).Order().ToList();
        log($"chat examples: mean {sorted.Average():F1} tokens, p95 {sorted[(int)(sorted.Count * 0.95)]}, max {sorted[^1]}; " +
            $"answer tokens {lengths.Sum(l => l.Answer) * 100.0 / lengths.Sum(l => l.Length):F1}% of all; " +
            $"{lengths.Count(l => l.Length > options.SequenceLength)} of {lengths.Count} longer than a sequence ({options.SequenceLength})");
        var probe = new TaskGenerator(12347, DataSplit.Train, options.DataRecipe);
        var packer = new BatchPacker(() => encoder.EncodeChat(probe.Next()), 0);
        var batch = new TokenBatch(options.SequenceLength, options.BatchSize);
        var counts = Enumerable.Range(0, 50).Select(_ => { packer.Fill(batch); return batch.ActiveTargets; }).ToList();
        log($"answer positions per instruction batch: mean {counts.Average():F1}, max {counts.Max()} (loss rows per step: {options.LossRows})");
        var p = new TaskGenerator(12346, DataSplit.Train, options.DataRecipe);
        log($"plain-text lines: mean {Enumerable.Range(0, 2000).Average(_ => encoder.EncodePlain(p.NextPlainText()).Length):F1} tokens");
    }

    private static double? TailMean(IReadOnlyList<StepRecord> records, string phase)
    {
        var rows = records.Where(r => r.Phase == phase).ToList();
        return rows.Count == 0 ? null : rows.TakeLast(Math.Min(50, rows.Count)).Average(r => r.Loss);
    }

    private string TokenizerCorpus()
    {
        var generator = new TaskGenerator(options.Seed + 2, DataSplit.Train, new DataRecipe { Mix = options.Mix });
        var sb = new StringBuilder();
        for (var i = 0; i < options.TokenizerCorpusExamples; i++)
        {
            var ex = generator.Next();
            foreach (var m in ex.Messages) sb.Append(m.Role).Append('\n').Append(m.Content).Append('\n');
            sb.Append(ex.Answer).Append('\n');
        }
        foreach (var c in "0123456789") sb.Replace(c.ToString(), string.Empty);
        return sb.ToString();
    }

    private static string CheckTokenizerParity(BpeVocabulary vocabulary, ITokenizer llama)
    {
        var generator = new TaskGenerator(99, DataSplit.HeldOut);
        var mismatches = 0;
        const int samples = 300;
        for (var i = 0; i < samples; i++)
        {
            var ex = generator.Next();
            var text = ChatMlFormatter.FormatPrompt(ex.Messages) + ex.Answer;
            if (!vocabulary.Encode(text, parseSpecial: true).SequenceEqual(llama.Tokenize(text, false, true))) mismatches++;
        }
        return mismatches == 0 ? $"identical on {samples} samples" : $"{mismatches}/{samples} samples differ (training uses llama.cpp's tokens)";
    }
}
