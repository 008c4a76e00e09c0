namespace InferenceServer.Core.Options;

/// <summary>
/// Which KV layout the context gets (<see cref="ModelOptions.UnifiedKvCache"/>). An explicit value wins. Unset (the
/// default) picks one stream per slot, llama-server's layout, when each slot's share of the context
/// (<c>ContextSize / Engine:MaxSequences</c>) holds the model's whole training context, so that no request the unified
/// pool would accept is refused; otherwise the unified pool, where any sequence may grow to the whole context.
/// </summary>
/// <remarks>
/// Why per slot when nothing is lost: with one pool, llama.cpp's attention for every decoded token walks the mask of
/// every used cell of every sequence (ggml's CPU flash attention skips masked cells one by one), so a step of N
/// sequences of L cells costs N x N x L mask reads instead of N x L. Decoding 16 sequences of the benchmark model was
/// 6 % slower with 40-token prompts and 27 % with 500-token ones (docs/performance.md).
/// </remarks>
public static class KvCacheLayout
{
    /// <param name="configured">Model:UnifiedKvCache as configured (null: choose).</param>
    /// <param name="contextSize">Model:ContextSize (0: the training context).</param>
    /// <param name="maxSequences">Engine:MaxSequences.</param>
    /// <param name="trainingContext">The model's training context (n_ctx_train); 0 or less when unknown.</param>
    public static bool IsUnified(bool? configured, int contextSize, int maxSequences, int trainingContext)
    {
        if (configured is { } explicitChoice)
        {
            return explicitChoice;
        }

        if (maxSequences <= 1 || trainingContext <= 0)
        {
            return true; // one slot: the layouts are the same; unknown training context: keep every sequence's reach
        }

        var cells = contextSize == 0 ? trainingContext : contextSize;
        return cells / maxSequences < trainingContext;
    }
}
