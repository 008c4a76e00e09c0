using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using InferenceServer.Training.Data;
using InferenceServer.Training.Model;
using InferenceServer.Training.Native;

namespace InferenceServer.Training.Training;

/// <summary>
/// One ggml-opt context over the llama forward graph with static graphs: inputs are the [seqLen x batch] tokens,
/// outputs the logits, loss cross-entropy against one-hot labels, AdamW. The same graph serves training steps
/// (forward + backward + AdamW) and evaluation (forward only).
/// <para>
/// Masking: ggml's cross-entropy backward is softmax(logits) - labels, which assumes every label row sums to 1;
/// an all-zero row is right for the forward loss but would still push gradient. So training with a mask uses
/// <paramref name="gatherRows"/>: the graph gathers a fixed number of positions (ggml_get_rows on the logits, a
/// static I32 index tensor) and the loss covers exactly those; unmasked training labels every position.
/// </para>
/// </summary>
internal sealed unsafe class OptimizationSession : IDisposable
{
    private readonly TrainableModel _model;
    private readonly nint _sched;
    private readonly nint _ctxCompute;
    private readonly nint _ctxInputs;
    private readonly nint _inputBuffer;
    private readonly nint _rows;
    private readonly nint _mask;
    private readonly float[]? _maskData;
    private readonly nint _opt;
    private readonly GgmlOptOptimizerParams* _optParams;
    private readonly float[] _labels;
    private nint _backend;

    public int SeqLen { get; }
    public int BatchSize { get; }
    public int? GatherRows { get; }

    /// <param name="documentMask">Keep attention inside each packed example (the batch's <c>Documents</c>), so every
    /// example is trained as if it were alone in its sequence, as inference sees it.</param>
    public OptimizationSession(TrainableModel model, nint backend, int seqLen, int batch, int? gatherRows = null, bool documentMask = false)
    {
        _model = model;
        _backend = backend;
        SeqLen = seqLen;
        BatchSize = batch;
        GatherRows = gatherRows;
        _labels = new float[(long)model.Config.VocabSize * (gatherRows ?? seqLen * batch)];
        _optParams = (GgmlOptOptimizerParams*)NativeMemory.AllocZeroed((nuint)sizeof(GgmlOptOptimizerParams));
        SetOptimizer(new OptimizerSettings(1e-3f));

        var b = backend;
        _sched = GgmlBackend.ggml_backend_sched_new(&b, null, 1, 16384, false, true);
        if (_sched == 0) throw new InvalidOperationException("ggml_backend_sched_new failed.");

        const int maxNodes = 16384;
        _ctxCompute = Ggml.ggml_init(new GgmlInitParams
        {
            MemSize = Ggml.ggml_tensor_overhead() * maxNodes + Ggml.ggml_graph_overhead_custom(maxNodes, true) * 4,
            NoAlloc = 1,
        });
        // Static graphs need statically allocated inputs: the token tensor lives in its own small buffer.
        _ctxInputs = Ggml.ggml_init(new GgmlInitParams { MemSize = Ggml.ggml_tensor_overhead() * 4, NoAlloc = 1 });
        var tokens = Ggml.ggml_new_tensor_2d(_ctxInputs, GgmlType.I32, seqLen, batch);
        Ggml.ggml_set_name(tokens, "tokens");
        if (gatherRows is { } k)
        {
            _rows = Ggml.ggml_new_tensor_1d(_ctxInputs, GgmlType.I32, k);
            Ggml.ggml_set_name(_rows, "loss_rows");
        }
        if (documentMask)
        {
            _mask = Ggml.ggml_new_tensor_4d(_ctxInputs, GgmlType.F32, seqLen, seqLen, 1, batch);
            Ggml.ggml_set_name(_mask, "kq_mask");
            _maskData = new float[(long)seqLen * seqLen * batch];
        }
        _inputBuffer = GgmlBackend.ggml_backend_alloc_ctx_tensors(_ctxInputs, backend);
        var logits = LlamaGraphBuilder.BuildLogits(_ctxCompute, model, tokens, seqLen, batch, _mask);
        Ggml.ggml_set_name(logits, "logits");
        if (_rows != 0) logits = Ggml.ggml_get_rows(_ctxCompute, logits, _rows); // [vocab, k]

        var p = GgmlOpt.ggml_opt_default_params(_sched, GgmlOptLossType.CrossEntropy);
        AbiCheck.VerifyOptParams(p);
        p.CtxCompute = _ctxCompute;
        p.Inputs = tokens;
        p.Outputs = logits;
        p.BuildType = GgmlOptBuildType.Opt;
        p.OptPeriod = 1;
        p.GetOptPars = (nint)(delegate* unmanaged[Cdecl]<nint, GgmlOptOptimizerParams>)&GetOptimizerParams;
        p.GetOptParsUserData = (nint)_optParams;
        p.Optimizer = 0; // AdamW
        _opt = GgmlOpt.ggml_opt_init(p);
        if (_opt == 0) throw new InvalidOperationException("ggml_opt_init failed.");
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static GgmlOptOptimizerParams GetOptimizerParams(nint userData) => *(GgmlOptOptimizerParams*)userData;

    public void SetOptimizer(OptimizerSettings s)
    {
        *_optParams = new GgmlOptOptimizerParams
        {
            AdamAlpha = s.LearningRate,
            AdamBeta1 = s.Beta1,
            AdamBeta2 = s.Beta2,
            AdamEps = s.Epsilon,
            AdamWeightDecay = s.WeightDecay,
            SgdAlpha = s.LearningRate,
            SgdWeightDecay = 0,
        };
    }

    /// <summary>One optimizer step on the batch; returns the mean cross-entropy over its unmasked targets.</summary>
    public double TrainStep(TokenBatch batch) => Run(batch, backward: true);

    /// <summary>Forward pass only; returns the mean cross-entropy over the unmasked targets and their count.</summary>
    public (double MeanLoss, int Count) Evaluate(TokenBatch batch) => (Run(batch, backward: false), batch.ActiveTargets);

    private double Run(TokenBatch batch, bool backward)
    {
        if (batch.SeqLen != SeqLen || batch.BatchSize != BatchSize) throw new ArgumentException("Batch shape differs from the graph's.");
        var vocab = _model.Config.VocabSize;
        Array.Clear(_labels);
        var active = new List<int>(batch.Targets.Length);
        for (var i = 0; i < batch.Targets.Length; i++)
        {
            var t = batch.Targets[i];
            if (t < 0) continue;
            if (t >= vocab) throw new ArgumentOutOfRangeException(nameof(batch), $"Target token {t} is outside the vocabulary.");
            active.Add(i);
        }
        if (active.Count == 0) throw new ArgumentException("The batch has no targets.", nameof(batch));

        double rowsScale;
        GgmlOpt.ggml_opt_alloc(_opt, backward);
        if (GatherRows is { } k)
        {
            // Exactly k loss rows: the unmasked positions (cycled if fewer, truncated if more).
            var rows = new int[k];
            for (var r = 0; r < k; r++)
            {
                rows[r] = active[r % active.Count];
                _labels[(long)r * vocab + batch.Targets[rows[r]]] = 1f;
            }
            GgmlBackend.SetData<int>(_rows, rows);
            rowsScale = 1;
        }
        else
        {
            if (backward && active.Count != batch.Targets.Length)
            {
                throw new ArgumentException("Training without gathered rows needs a label at every position.", nameof(batch));
            }
            foreach (var i in active) _labels[(long)i * vocab + batch.Targets[i]] = 1f;
            // ggml's cross-entropy averages over all rows; unlabeled rows (forward only) contribute zero.
            rowsScale = (double)batch.Targets.Length / active.Count;
        }
        if (_maskData is not null) SetDocumentMask(batch);
        GgmlBackend.SetData<int>(GgmlOpt.ggml_opt_inputs(_opt), batch.Tokens);
        GgmlBackend.SetData<float>(GgmlOpt.ggml_opt_labels(_opt), _labels);
        GgmlOpt.ggml_opt_eval(_opt, 0);
        Span<float> loss = stackalloc float[1];
        GgmlBackend.GetData<float>(GgmlOpt.ggml_opt_loss(_opt), loss);
        return loss[0] * rowsScale;
    }

    /// <summary>mask[b][q][k] = 0 when k &lt;= q in the same example, -inf otherwise (ggml layout: k fastest).</summary>
    private void SetDocumentMask(TokenBatch batch)
    {
        int t = SeqLen;
        for (var b = 0; b < BatchSize; b++)
        {
            var docs = batch.Documents.AsSpan(b * t, t);
            for (var q = 0; q < t; q++)
            {
                var row = _maskData!.AsSpan((b * t + q) * t, t);
                for (var k = 0; k < t; k++) row[k] = k <= q && docs[k] == docs[q] ? 0f : float.NegativeInfinity;
            }
        }
        GgmlBackend.SetData<float>(_mask, _maskData);
    }

    public void Dispose()
    {
        GgmlOpt.ggml_opt_free(_opt);
        Ggml.ggml_free(_ctxCompute);
        GgmlBackend.ggml_backend_buffer_free(_inputBuffer);
        Ggml.ggml_free(_ctxInputs);
        GgmlBackend.ggml_backend_sched_free(_sched);
        NativeMemory.Free(_optParams);
        _backend = 0;
    }
}
