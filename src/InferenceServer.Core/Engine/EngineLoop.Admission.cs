using InferenceServer.Core.Diagnostics;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;

namespace InferenceServer.Core.Engine;

/// <summary>Admission: waiting jobs enter free slots FIFO while KV cells allow, reusing cached prefixes.</summary>
internal sealed partial class EngineLoop
{
    private void Admit()
    {
        while (!_stopping)
        {
            if (Array.IndexOf(_slots, null) < 0)
            {
                return;
            }

            // Admit against committed cells (every active sequence's full token list), not just decoded ones, so
            // a prompt admitted in this step is not preempted again while it is still being prefilled. Cached
            // prefixes of idle slots count as free: they are evicted when the cells are needed.
            int free = _contextSize - KvCellsCommitted() + EvictableCells();
            bool idle = _active.Count == 0;
            if (!_queue.TryDequeueIf(job => idle || job.IsCancelled || TokensToCompute(job) + 1 <= free, out InferenceJob? job) || job is null)
            {
                return;
            }

            if (job.IsCancelled)
            {
                CompleteUnadmitted(job);
                continue;
            }

            try
            {
                AdmitInto(job);
            }
            catch (Exception ex)
            {
                _logger.SequenceFailed(job.RequestId, ex);
                job.Sequence?.Sampler.Dispose();
                job.TryComplete(null, new InferenceException(InferenceErrorKind.Internal, "The sequence could not be started.", inner: ex));
            }
        }
    }

    private static int TokensToCompute(InferenceJob job) => job.Sequence?.Tokens.Count ?? job.Request.PromptTokens.Count;

    private void AdmitInto(InferenceJob job)
    {
        SequenceState? sequence = job.Sequence;
        if (sequence is null)
        {
            GenerationRequest request = job.Request;
            uint seed = request.Sampling.Seed ?? (uint)Random.Shared.NextInt64(0, uint.MaxValue + 1L);
            ITokenSampler sampler = _backend.CreateSampler(request.Sampling, seed);
            sequence = new SequenceState(job, sampler, new SequenceOutput(request.StopSequences, request.TopLogprobs is not null));
            job.Sequence = sequence;
        }

        bool first = sequence.AdmittedTimestamp is null;
        if (first)
        {
            sequence.AdmittedTimestamp = _time.GetTimestamp();
            sequence.AdmittedAt = _time.GetUtcNow();
            _telemetry.RecordSpan("gen_ai.queue", job.ParentContext, job.SubmittedAt, sequence.AdmittedAt.Value, job.RequestId,
                inputTokens: sequence.PromptLength);
        }

        var (slot, reused) = TakeSlot(sequence.Tokens);
        if (first)
        {
            sequence.CachedPromptTokens = Math.Min(reused, sequence.PromptLength);
        }

        sequence.SlotId = slot;
        sequence.DecodedCount = reused;
        sequence.AdmissionOrder = ++_admissions;
        _slots[slot] = sequence;
        _active.Add(sequence);
        MakeRoomFor(1);
        if (reused > 0)
        {
            _logger.PrefixReused(job.RequestId, slot, reused);
        }

        _logger.SequenceAdmitted(job.RequestId, slot, sequence.PromptLength, sequence.Tokens.Count);
    }
}
