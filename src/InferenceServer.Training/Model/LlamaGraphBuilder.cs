using InferenceServer.Training.Native;

namespace InferenceServer.Training.Model;

/// <summary>
/// Builds llama.cpp's llama forward pass from ggml operations for a batch of sequences:
/// tokens [seq, batch] (I32) -> logits [vocab, seq*batch]. Grouped-query attention keeps fewer K/V heads in the
/// weights; the graph expands them explicitly (reshape + repeat) because ggml's MUL_MAT backward cannot
/// broadcast heads, which is numerically identical to llama.cpp's broadcast (q-head h reads kv-head h / group).
/// </summary>
internal static class LlamaGraphBuilder
{
    /// <param name="mask">Optional additive attention mask [seq, seq, 1, batch] (0 or -inf, causal included); without it
    /// the graph applies the plain causal mask.</param>
    public static nint BuildLogits(nint ctx, TrainableModel model, nint tokens, int seqLen, int batch, nint mask = 0)
    {
        var c = model.Config;
        if (seqLen > c.ContextLength) throw new ArgumentOutOfRangeException(nameof(seqLen), "Sequence is longer than the positions table.");
        long n = (long)seqLen * batch;
        int hd = c.HeadDim, nh = c.HeadCount, nkv = c.HeadCountKv, e = c.EmbeddingLength;
        var scale = 1.0f / MathF.Sqrt(hd);

        var positions = model.Tensor(TrainableModel.PositionsName);
        if (seqLen < c.ContextLength)
        {
            positions = View1d(ctx, positions, seqLen);
        }

        var flatTokens = Ggml.ggml_reshape_1d(ctx, tokens, n);
        var x = Ggml.ggml_get_rows(ctx, model.Tensor("token_embd.weight"), flatTokens); // [e, n]

        for (var l = 0; l < c.BlockCount; l++)
        {
            string W(string s) => $"blk.{l}.{s}.weight";
            var h = Ggml.ggml_mul(ctx, Ggml.ggml_rms_norm(ctx, x, c.RmsEpsilon), model.Tensor(W("attn_norm")));

            var q = Ggml.ggml_reshape_4d(ctx, Ggml.ggml_mul_mat(ctx, model.Tensor(W("attn_q")), h), hd, nh, seqLen, batch);
            var k = Ggml.ggml_reshape_4d(ctx, Ggml.ggml_mul_mat(ctx, model.Tensor(W("attn_k")), h), hd, nkv, seqLen, batch);
            var v = Ggml.ggml_reshape_4d(ctx, Ggml.ggml_mul_mat(ctx, model.Tensor(W("attn_v")), h), hd, nkv, seqLen, batch);
            q = Rope(ctx, q, positions, hd, c);
            k = Rope(ctx, k, positions, hd, c);
            if (nkv != nh)
            {
                k = ExpandKvHeads(ctx, k, hd, nh, nkv, seqLen, batch);
                v = ExpandKvHeads(ctx, v, hd, nh, nkv, seqLen, batch);
            }

            var qp = Ggml.ggml_cont(ctx, Ggml.ggml_permute(ctx, q, 0, 2, 1, 3)); // [hd, T, H, B]
            var kp = Ggml.ggml_cont(ctx, Ggml.ggml_permute(ctx, k, 0, 2, 1, 3)); // [hd, T, H, B]
            var vt = Ggml.ggml_cont(ctx, Ggml.ggml_permute(ctx, v, 1, 2, 0, 3)); // [T, hd, H, B]
            var kq = Ggml.ggml_mul_mat(ctx, kp, qp);                              // [Tk, Tq, H, B]
            if (mask == 0) kq = Ggml.ggml_diag_mask_inf(ctx, kq, 0);
            kq = Ggml.ggml_soft_max_ext(ctx, kq, mask, scale, 0.0f);
            var kqv = Ggml.ggml_mul_mat(ctx, vt, kq);                             // [hd, Tq, H, B]
            var merged = Ggml.ggml_cont(ctx, Ggml.ggml_permute(ctx, kqv, 0, 2, 1, 3)); // [hd, H, T, B]
            var attn = Ggml.ggml_mul_mat(ctx, model.Tensor(W("attn_output")), Ggml.ggml_reshape_2d(ctx, merged, e, n));
            x = Ggml.ggml_add(ctx, x, attn);

            h = Ggml.ggml_mul(ctx, Ggml.ggml_rms_norm(ctx, x, c.RmsEpsilon), model.Tensor(W("ffn_norm")));
            var gate = Ggml.ggml_silu(ctx, Ggml.ggml_mul_mat(ctx, model.Tensor(W("ffn_gate")), h));
            var up = Ggml.ggml_mul_mat(ctx, model.Tensor(W("ffn_up")), h);
            var ffn = Ggml.ggml_mul_mat(ctx, model.Tensor(W("ffn_down")), Ggml.ggml_mul(ctx, gate, up));
            x = Ggml.ggml_add(ctx, x, ffn);
        }

        x = Ggml.ggml_mul(ctx, Ggml.ggml_rms_norm(ctx, x, c.RmsEpsilon), model.Tensor("output_norm.weight"));
        var output = model.TiedOutput ? model.Tensor("token_embd.weight") : model.Tensor("output.weight");
        return Ggml.ggml_mul_mat(ctx, output, x); // [vocab, n]
    }

    private static nint Rope(nint ctx, nint t, nint positions, int hd, ModelConfig c) =>
        Ggml.ggml_rope_ext(ctx, t, positions, 0, hd, 0, c.ContextLength, c.RopeFreqBase, 1.0f, 0.0f, 1.0f, 32.0f, 1.0f);

    private static nint ExpandKvHeads(nint ctx, nint t, int hd, int nh, int nkv, int seqLen, int batch)
    {
        var group = nh / nkv;
        var src = Ggml.ggml_reshape_4d(ctx, Ggml.ggml_cont(ctx, t), hd, 1, nkv, (long)seqLen * batch);
        var shape = Ggml.ggml_new_tensor_4d(ctx, GgmlType.F32, hd, group, nkv, (long)seqLen * batch);
        var repeated = Ggml.ggml_repeat(ctx, src, shape); // [hd, group, nkv, T*B]: kv-head j serves q-heads j*group..
        return Ggml.ggml_reshape_4d(ctx, repeated, hd, nh, seqLen, batch);
    }

    private static nint View1d(nint ctx, nint t, long ne0) => GgmlViews.ggml_view_1d(ctx, t, ne0, 0);
}
