using InferenceServer.Training.Data;
using InferenceServer.Training.Evaluation;
using InferenceServer.Training.Model;
using InferenceServer.Training.Native;
using InferenceServer.Training.Training;

namespace InferenceServer.Training.Cli;

internal static class TrainingCli
{
    private const string Usage = """
        usage:
          train    --out models/default.gguf [--minutes 25] [--seed 1] [--threads 2] [--steps N] [--report-dir DIR]
                   [--eval 600] [--embd 128] [--layers 4] [--heads 4] [--kv-heads 2] [--ff 352] [--vocab 384]
                   [--seq 256] [--dense-seq 128] [--batch 4] [--lr 0.003] [--weight-decay 0.1] [--pretrain-fraction 0.4] [--plain-mix 0.25] [--loss-rows 64]
                   [--mix Addition=0.3,Subtraction=0.3,...] [--equation-share 0.6] [--document-mask true|false] [--dense-chat true|false] [--passage-questions 3] [--equation-warmup 0.15] [--binding-drills 0.2] [--subtract-from-share 0.3] [--passage-kinds mixed|same]
          eval     --model PATH [--count 600] [--seed 20241127] [--threads 2] [--passage-kinds mixed|same]
          ce-check --model PATH [--threads 2]
          score    --model PATH --text TEXT [--threads 1]   (cross-entropy of TEXT, tokenized as the server does)
          smoke    [--steps 100]
        """;

    public static int Run(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var a = new CliArguments(args.Skip(1));
        LlamaLogFilter.Install();
        switch (args[0])
        {
            case "train":
                return Train(a);
            case "eval":
                return Eval(a);
            case "ce-check":
                return CeCheck(a);
            case "score":
                return Score(a);
            case "smoke":
                return SmokeCommand.Run(a.Int("steps", 100), a.Int("threads", 2));
            default:
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }

    private static int Train(CliArguments a)
    {
        var d = new TrainingOptions();
        var options = d with
        {
            OutputPath = a.String("out") ?? d.OutputPath,
            ReportDirectory = a.String("report-dir"),
            Minutes = a.Double("minutes", d.Minutes),
            Steps = a.OptionalInt("steps"),
            Seed = a.Int("seed", d.Seed),
            Threads = a.Int("threads", d.Threads),
            EvalExamples = a.Int("eval", d.EvalExamples),
            EmbeddingLength = a.Int("embd", d.EmbeddingLength),
            BlockCount = a.Int("layers", d.BlockCount),
            HeadCount = a.Int("heads", d.HeadCount),
            HeadCountKv = a.Int("kv-heads", d.HeadCountKv),
            FeedForwardLength = a.Int("ff", d.FeedForwardLength),
            VocabSize = a.Int("vocab", d.VocabSize),
            SequenceLength = a.Int("seq", d.SequenceLength),
            DenseSequenceLength = a.OptionalInt("dense-seq") ?? d.DenseSequenceLength,
            BatchSize = a.Int("batch", d.BatchSize),
            PeakLearningRate = (float)a.Double("lr", d.PeakLearningRate),
            WeightDecay = (float)a.Double("weight-decay", d.WeightDecay),
            PretrainFraction = a.Double("pretrain-fraction", d.PretrainFraction),
            PlainTextMix = a.Double("plain-mix", d.PlainTextMix),
            LossRows = a.Int("loss-rows", d.LossRows),
            Mix = a.String("mix") is { } mix ? TaskMix.Parse(mix) : d.Mix,
            EquationShare = a.Double("equation-share", d.EquationShare),
            BindingDrillShare = a.Double("binding-drills", d.BindingDrillShare),
            MixedPassageKinds = a.String("passage-kinds") is { } pk ? pk == "mixed" : d.MixedPassageKinds,
            SubtractFromShare = a.String("subtract-from-share") is { } sf ? double.Parse(sf, System.Globalization.CultureInfo.InvariantCulture) : d.SubtractFromShare,
            DocumentMask = a.String("document-mask") is { } dm ? dm != "false" : d.DocumentMask,
            DenseChatSteps = a.String("dense-chat") is { } dc ? dc != "false" : d.DenseChatSteps,
            PassageQuestions = a.Int("passage-questions", d.PassageQuestions),
            EquationWarmupFraction = a.Double("equation-warmup", d.EquationWarmupFraction),
            FlushDenormals = a.String("flush-denormals") is { } fd ? fd != "false" : d.FlushDenormals,
        };
        var summary = new TrainingPipeline(options, Console.WriteLine, TimeProvider.System).Run();
        Console.WriteLine($"done: {summary.Steps} steps, {summary.TrainingSeconds:F0}s training, {summary.TotalSeconds:F0}s total");
        return 0;
    }

    private static int Eval(CliArguments a)
    {
        var model = a.String("model") ?? throw new ArgumentException("--model is required.");
        var mixed = a.String("passage-kinds") is { } pk ? pk == "mixed" : new TrainingOptions().MixedPassageKinds;
        var examples = HeldOutSet.Generate(a.Int("count", 600), a.Int("seed", HeldOutSet.DefaultSeed), mixed);
        Console.WriteLine($"greedy exact match on {examples.Count} held-out examples:");
        var result = GreedyEvaluator.Evaluate(model, examples, a.Int("threads", 2), Console.WriteLine);
        foreach (var f in result.SampleFailures.Take(10)) Console.WriteLine("  miss: " + f);
        return 0;
    }

    private static int Score(CliArguments a)
    {
        var path = a.String("model") ?? throw new ArgumentException("--model is required.");
        var text = a.String("text") ?? throw new ArgumentException("--text is required.");
        int[] tokens;
        using (var tokenizer = new LlamaSharpTokenizer(path))
        {
            tokens = tokenizer.Tokenize(text, true, special: true); // add_special as the server passes it
        }

        var ce = TextCrossEntropy.Compute(path, tokens, a.Int("threads", 1));
        Console.WriteLine($"{tokens.Length} tokens, {tokens.Length - 1} scored: cross-entropy {ce:F6} nats/token, perplexity {Math.Exp(ce):F4}");
        return 0;
    }

    private static int CeCheck(CliArguments a)
    {
        var path = a.String("model") ?? throw new ArgumentException("--model is required.");
        var threads = a.Int("threads", 2);
        GgmlLibraryResolver.EnsureRegistered();
        var backend = GgmlBackend.ggml_backend_cpu_init();
        try
        {
            GgmlBackend.ggml_backend_cpu_set_n_threads(backend, threads);
            using var tokenizer = new LlamaSharpTokenizer(path);
            using var model = TrainableModel.Load(path, backend);
            using var session = new OptimizationSession(model, backend, a.Int("seq", 256), a.Int("batch", 4));
            var ce = CrossEntropyCheck.Run(session, tokenizer, path, threads);
            Console.WriteLine($"cross-entropy on {ce.Tokens} held-out tokens: training graph {ce.TrainingGraph:F6}, llama.cpp {ce.LlamaCpp:F6}, |diff| {ce.AbsoluteDifference:E2}");
            return ce.AbsoluteDifference < 1e-3 ? 0 : 1;
        }
        finally
        {
            GgmlBackend.ggml_backend_free(backend);
        }
    }
}
