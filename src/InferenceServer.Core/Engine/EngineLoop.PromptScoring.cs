using InferenceServer.Core.Generation;

namespace InferenceServer.Core.Engine;

/// <summary>
/// Prompt scoring (echo + logprobs, /v1/score): requests with <see cref="GenerationRequest.PromptLogprobs"/> ask for
/// logits at every prompt position of their prefill chunks; after each decode their logprobs are collected, and the
/// whole list is posted once the prompt is in. With max_tokens 0 the sequence then ends without sampling.
/// Three hooks in the loop: <see cref="WantsPromptLogits"/> (FillBatch), <see cref="CollectPromptLogprobs"/> and
/// <see cref="EndsAfterPrompt"/> (ProcessDecoded).
/// </summary>
internal sealed partial class EngineLoop
{
    /// <summary>Whether the batch entry of <paramref name="sequence"/> at <paramref name="position"/> needs logits for scoring.</summary>
    private static bool WantsPromptLogits(SequenceState sequence, int position) =>
        sequence.Job.Request.PromptLogprobs is not null && position < sequence.PromptLength - 1;

    /// <summary>Reads the scoring logits of a decoded chunk (call before DecodedCount moves past it) and posts the
    /// prompt's logprobs once the last prompt token is decoded.</summary>
    private void CollectPromptLogprobs(SequenceState sequence, PlannedChunk chunk)
    {
        InferenceJob job = sequence.Job;
        if (job.Request.PromptLogprobs is not { } topN)
        {
            return;
        }

        PromptLogprobCollector collector = job.PromptScores ??= new PromptLogprobCollector(sequence.PromptLength, topN);
        for (int i = 0; i < chunk.Count; i++)
        {
            int position = sequence.DecodedCount + i;
            if (collector.Wants(position))
            {
                collector.Set(position, _backend.GetLogits(chunk.Offset + i), sequence.Tokens, _tokenizer);
            }
        }

        if (!collector.Sent && sequence.DecodedCount + chunk.Count >= sequence.PromptLength)
        {
            collector.Sent = true;
            job.Post(new GenerationUpdate { PromptLogprobs = collector.Result });
        }
    }

    /// <summary>max_tokens 0: the prompt is decoded (and scored); finish without sampling a token.</summary>
    private static bool EndsAfterPrompt(SequenceState sequence)
    {
        if (sequence.Job.Request.MaxTokens != 0)
        {
            return false;
        }

        sequence.PendingFinish = FinishReason.Length;
        return true;
    }
}
