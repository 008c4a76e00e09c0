namespace InferenceServer.Training.Training;

/// <summary>Everything a training run depends on; the defaults produce the embedded default model.</summary>
public sealed record TrainingOptions
{
    public string OutputPath { get; init; } = "models/default.gguf";
    /// <summary>Folder for the loss curve, the JSON summary and the initial (random) model.</summary>
    public string? ReportDirectory { get; init; }
    /// <summary>Wall-clock budget for the optimisation steps (pretraining + instruction tuning).</summary>
    public double Minutes { get; init; } = 25;
    /// <summary>When set, run exactly this many steps (schedule by step instead of by time).</summary>
    public int? Steps { get; init; }
    public int Seed { get; init; } = 1;
    public int Threads { get; init; } = 2;

    public int VocabSize { get; init; } = 384;
    public int EmbeddingLength { get; init; } = 128;
    public int BlockCount { get; init; } = 4;
    public int HeadCount { get; init; } = 4;
    public int HeadCountKv { get; init; } = 2;
    public int FeedForwardLength { get; init; } = 352;
    public int ContextLength { get; init; } = 512;

    public int SequenceLength { get; init; } = 256;
    public int BatchSize { get; init; } = 8;
    /// <summary>
    /// Row length of the dense (every-token) steps; the same tokens per step as the answer-only steps
    /// (<c>SequenceLength x BatchSize</c>) in more, shorter rows. Plain lines are short and attention costs grow with
    /// the row length, so shorter dense rows run faster; chat examples longer than a dense row only train in the
    /// answer-only steps.
    /// </summary>
    public int? DenseSequenceLength { get; init; } = 128;
    public int DenseRows => SequenceLength * BatchSize / DenseSeq;
    public int DenseSeq => DenseSequenceLength ?? SequenceLength;
    /// <summary>Share of the budget spent on plain-text pretraining before instruction tuning.</summary>
    public double PretrainFraction { get; init; } = 0.5;
    /// <summary>Share of instruction-tuning steps that still train on plain text (0 = none).</summary>
    public double PlainTextMix { get; init; } = 0.5;
    /// <summary>Relative frequency of each task in the generated training data.</summary>
    public Data.TaskMix Mix { get; init; } = Data.TaskMix.Default;
    /// <summary>Share of plain-text (pretraining) lines that are bare equations such as "37 + 48 = 85".</summary>
    public double EquationShare { get; init; } = 0.6;
    /// <summary>Share of plain-text lines that are binding drills (facts restated in a shuffled order; see <see cref="Data.TaskGenerator"/>).</summary>
    public double BindingDrillShare { get; init; }
    /// <summary>Share of training subtraction questions phrased "Subtract b from a." (null: one of six phrasings, uniformly).</summary>
    public double? SubtractFromShare { get; init; }
    /// <summary>Passages draw each person's kind of fact independently (training data and the held-out set).</summary>
    public bool MixedPassageKinds { get; init; } = true;
    /// <summary>Share of the run, from the start, whose plain text is bare equations only (0 = none).</summary>
    public double EquationWarmupFraction { get; init; }
    /// <summary>Attention stays inside each packed example (trained as inference sees it: alone in its sequence).</summary>
    public bool DocumentMask { get; init; } = true;
    /// <summary>The plain-text steps of instruction tuning train on whole chat examples (every token) instead of plain lines.</summary>
    public bool DenseChatSteps { get; init; } = true;
    /// <summary>Most questions asked about one training passage (1-3; see <see cref="Data.TaskGenerator"/>).</summary>
    public int PassageQuestions { get; init; } = 1;
    /// <summary>Answer positions gathered per instruction-tuning step (cycled when a batch has fewer).</summary>
    public int LossRows { get; init; } = 224;
    public float PeakLearningRate { get; init; } = 4e-3f;
    public int WarmupSteps { get; init; } = 50;
    /// <summary>AdamW's decoupled weight decay (ggml-opt scales it by the learning rate; applied to every weight).</summary>
    public float WeightDecay { get; init; }
    public int LogEvery { get; init; } = 25;
    /// <summary>
    /// Flush denormal floats to zero on the training threads (see <see cref="Native.DenormalFlush"/>): training slows
    /// down as denormals appear, and flushing them changes the numbers slightly (a different, equally valid run).
    /// </summary>
    public bool FlushDenormals { get; init; } = true;

    /// <summary>Held-out examples for greedy exact-match evaluation (0 skips it).</summary>
    public int EvalExamples { get; init; } = 600;
    /// <summary>Held-out rows for the training-graph vs llama.cpp cross-entropy check (0 skips it).</summary>
    public bool CrossEntropyCheck { get; init; } = true;
    /// <summary>Examples used to learn the BPE merges.</summary>
    public int TokenizerCorpusExamples { get; init; } = 4000;

    private string SubtractFromShareText => SubtractFromShare is { } share ? share.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) : "1/6";

    /// <summary>What the training data generators draw (the tokenizer's corpus only follows <see cref="Mix"/>).</summary>
    public Data.DataRecipe DataRecipe => new()
    {
        Mix = Mix,
        EquationShare = EquationShare,
        PassageQuestions = PassageQuestions,
        BindingDrillShare = BindingDrillShare,
        SubtractFromShare = SubtractFromShare,
        MixedPassageKinds = MixedPassageKinds,
    };

    /// <summary>The data and optimisation recipe in one line (logged and kept in the summary).</summary>
    public string Recipe() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"batch {BatchSize} x {SequenceLength} (dense steps {DenseRows} x {DenseSeq}), pretraining share {PretrainFraction:0.##}, plain-text mix {PlainTextMix:0.##}, " +
        $"peak lr {PeakLearningRate} (warm-up {WarmupSteps}), weight decay {WeightDecay}, flush denormals {FlushDenormals}, loss rows {LossRows}, document mask {DocumentMask}, dense chat steps {DenseChatSteps}, " +
        $"questions per passage {PassageQuestions}, passage kinds {(MixedPassageKinds ? "mixed" : "same")}, " +
        $"equation share {EquationShare:0.##}, binding drills {BindingDrillShare:0.##}, \"Subtract b from a.\" share {SubtractFromShareText}, equation warm-up {EquationWarmupFraction:0.##}, task mix {Mix}");
}
