using System.Diagnostics;
using InferenceServer.Core.Diagnostics;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;
using Microsoft.Extensions.Logging;

namespace InferenceServer.Core.Engine;

/// <summary>Decode outcomes: sampling, finishing, preemption and failure.</summary>
internal sealed partial class EngineLoop
{
    /// <summary>Samples every sequence that asked for logits; returns the timestamp its profiling ended at.</summary>
    private long ProcessDecoded(IReadOnlyList<PlannedChunk> plan, long mark)
    {
        foreach (PlannedChunk chunk in plan)
        {
            SequenceState? sequence = _slots[chunk.Key];
            if (sequence is null)
            {
                continue;
            }

            if (!sequence.IsGenerating)
            {
                _promptTokensProcessed += chunk.Count;
            }

            CollectPromptLogprobs(sequence, chunk);
            sequence.DecodedCount += chunk.Count;
            _ledger.Append(sequence.SlotId, chunk.Count);
            if (!chunk.WantLogits)
            {
                continue;
            }

            if (sequence.PrefillDoneTimestamp is null)
            {
                sequence.PrefillDoneTimestamp = _time.GetTimestamp();
                sequence.PrefillDoneAt = _time.GetUtcNow();
                _telemetry.RecordSpan("gen_ai.prefill", sequence.Job.ParentContext, sequence.AdmittedAt!.Value,
                    sequence.PrefillDoneAt.Value, sequence.Job.RequestId, inputTokens: sequence.PromptLength);
            }

            if (EndsAfterPrompt(sequence) || TryRecordBeamLogits(sequence, chunk.LastIndex))
            {
                continue;
            }

            try
            {
                mark = SampleNext(sequence, chunk.LastIndex, mark);
            }
            catch (Exception ex)
            {
                _logger.SequenceFailed(sequence.Job.RequestId, ex);
                // A sampler that refuses with a request error (a grammar with no allowed token) fails the request with
                // that error; anything else is an internal failure of this sequence only.
                Fail(sequence, ex as InferenceException ?? new InferenceException(InferenceErrorKind.Internal, "Sampling failed.", inner: ex));
            }
        }

        AdvanceBeamGroups();
        for (int i = _active.Count - 1; i >= 0; i--)
        {
            SequenceState sequence = _active[i];
            if (sequence.PendingFinish is { } reason)
            {
                Finish(sequence, reason);
            }
        }

        return mark;
    }

    private long SampleNext(SequenceState sequence, int batchIndex, long mark)
    {
        mark = _profile.Add(StepPhase.Bookkeeping, mark);
        GenerationRequest request = sequence.Job.Request;
        float[]? logits = request.TopLogprobs is not null ? _backend.GetLogits(batchIndex).ToArray() : null;
        int token = sequence.Sampler.Sample(batchIndex);
        _tokensGenerated++;
        sequence.FirstTokenTimestamp ??= _time.GetTimestamp();

        if (!request.Sampling.IgnoreEos && _tokenizer.IsEndOfGeneration(token))
        {
            sequence.PendingFinish = FinishReason.Stop;
            return _profile.Add(StepPhase.Sample, mark);
        }

        TokenLogprob? logprob = logits is null
            ? null
            : LogprobCalculator.Compute(logits, token, request.TopLogprobs!.Value, _tokenizer);
        mark = _profile.Add(StepPhase.Sample, mark);
        sequence.Tokens.Add(token);
        var (text, logprobs, stopped) = sequence.Output.OnToken(_tokenizer.TokenBytes(token), logprob);
        if (text.Length > 0 || logprobs is not null)
        {
            sequence.Job.Post(new GenerationUpdate { Text = text, Logprobs = logprobs });
        }

        if (stopped)
        {
            sequence.PendingFinish = FinishReason.Stop;
        }
        else if ((request.MaxTokens is { } max && sequence.Generated >= max) || sequence.Tokens.Count >= _maxSequenceLength)
        {
            sequence.PendingFinish = FinishReason.Length;
        }

        return _profile.Add(StepPhase.Output, mark);
    }

    private void LogStep(IReadOnlyList<PlannedChunk> plan, int tokens, long stepStart, long decodeStart, long decodeEnd)
    {
        _logger.StepDecoded(_decodeSteps, tokens, plan.Count, GeneratingIn(plan),
            Stopwatch.GetElapsedTime(stepStart, decodeStart).TotalMilliseconds, Stopwatch.GetElapsedTime(decodeStart, decodeEnd).TotalMilliseconds);
    }

    private void OnNoKvSlot(IReadOnlyList<PlannedChunk> plan)
    {
        // Drop whatever part of the batch may have landed, then free cells by preempting the newest sequence.
        foreach (PlannedChunk chunk in plan)
        {
            if (_slots[chunk.Key] is { } sequence)
            {
                TryRemoveKv(sequence.SlotId, sequence.DecodedCount);
            }
        }

        if (!EvictCachedPrefix())
        {
            Preempt(Newest(), "decode found no KV slot");
        }
    }

    private void OnDecodeFailed(IReadOnlyList<PlannedChunk> plan, int tokens, DecodeStatus status)
    {
        _logger.DecodeFailed(status.ToString(), tokens, plan.Count);
        foreach (PlannedChunk chunk in plan)
        {
            if (_slots[chunk.Key] is { } sequence)
            {
                Fail(sequence, new InferenceException(InferenceErrorKind.Internal, $"Decoding failed ({status})."));
            }
        }
    }

    private void Preempt(SequenceState sequence, string reason)
    {
        if (RestartBeamGroup(sequence, reason))
        {
            return;
        }

        InferenceJob job = sequence.Job;
        _logger.SequencePreempted(job.RequestId, sequence.SlotId, reason, sequence.Tokens.Count);
        ReleaseSlot(sequence);
        _preemptions++;
        job.Preemptions++;
        if (job.Preemptions > MaxPreemptionsPerJob)
        {
            sequence.Sampler.Dispose();
            job.TryComplete(null, new InferenceException(InferenceErrorKind.Internal,
                "The sequence was preempted too often: the KV cache is too small for the load."));
            return;
        }

        _queue.EnqueueFront(job);
    }

    private void Finish(SequenceState sequence, FinishReason reason)
    {
        InferenceJob job = sequence.Job;
        var (text, logprobs) = reason == FinishReason.Cancelled ? ("", null) : sequence.Output.Finish();
        int slot = sequence.SlotId;
        if (reason != FinishReason.Cancelled)
        {
            _finished++;
        }

        ReleaseSlot(sequence, keepPrefix: true);
        sequence.Sampler.Dispose();

        DateTimeOffset now = _time.GetUtcNow();
        _telemetry.RecordSpan("gen_ai.decode", job.ParentContext, sequence.PrefillDoneAt ?? sequence.AdmittedAt ?? now, now,
            job.RequestId, inputTokens: sequence.PromptLength, outputTokens: sequence.Generated);
        GenerationTimings timings = Timings(job, sequence);
        _logger.SequenceFinished(job.RequestId, reason.ToString(), slot, sequence.PromptLength, sequence.CachedPromptTokens, sequence.Generated, timings);
        job.TryComplete(new GenerationUpdate
        {
            Text = text,
            Logprobs = logprobs,
            FinishReason = reason,
            Usage = new Usage(sequence.PromptLength, sequence.Generated, sequence.CachedPromptTokens),
            Timings = timings,
        });
    }

    private void Fail(SequenceState sequence, InferenceException failure)
    {
        ReleaseSlot(sequence);
        sequence.Sampler.Dispose();
        sequence.Job.TryComplete(null, failure);
    }

    /// <summary>A job that was dequeued (or found in the queue) after its client went away.</summary>
    private void CompleteUnadmitted(InferenceJob job)
    {
        job.Sequence?.Sampler.Dispose();
        int prompt = job.Request.PromptTokens.Count;
        job.TryComplete(new GenerationUpdate
        {
            FinishReason = FinishReason.Cancelled,
            Usage = new Usage(prompt, job.Sequence?.Generated ?? 0),
            Timings = job.Sequence is { } s ? Timings(job, s) : null,
        });
    }

    private GenerationTimings Timings(InferenceJob job, SequenceState sequence)
    {
        long now = _time.GetTimestamp();
        long submitted = job.SubmittedTimestamp;
        long admitted = sequence.AdmittedTimestamp ?? now;
        return new GenerationTimings(
            Queued: _time.GetElapsedTime(submitted, admitted),
            TimeToFirstToken: _time.GetElapsedTime(submitted, sequence.FirstTokenTimestamp ?? now),
            Total: _time.GetElapsedTime(submitted, now),
            Prefill: _time.GetElapsedTime(admitted, sequence.PrefillDoneTimestamp ?? now));
    }

    /// <summary>Frees the slot and the sequence's KV cells, or with <paramref name="keepPrefix"/> leaves the cells to
    /// the prefix cache (the job and its state live on).</summary>
    private void ReleaseSlot(SequenceState sequence, bool keepPrefix = false)
    {
        if (sequence.SlotId >= 0)
        {
            if (!keepPrefix || !TryKeepPrefix(sequence))
            {
                Trim(sequence.SlotId, 0);
            }

            _slots[sequence.SlotId] = null;
        }

        _active.Remove(sequence);
        sequence.SlotId = -1;
        sequence.DecodedCount = 0;
        sequence.PendingFinish = null;
    }

    private void TryRemoveKv(int sequenceId, int fromPosition)
    {
        try
        {
            _backend.RemoveSequence(sequenceId, fromPosition);
        }
        catch (Exception ex)
        {
            _logger.SequenceFailed($"(slot {sequenceId})", ex);
        }
    }

    private int FailEverything(InferenceException failure)
    {
        int failed = 0;
        foreach (SequenceState sequence in _active.ToList())
        {
            Fail(sequence, failure);
            failed++;
        }

        foreach (InferenceJob job in _queue.DrainAll())
        {
            job.Sequence?.Sampler.Dispose();
            if (job.TryComplete(null, failure))
            {
                failed++;
            }
        }

        return failed;
    }

    private EngineSnapshot BuildSnapshot()
    {
        var slots = new SlotSnapshot[_slots.Length];
        for (int i = 0; i < _slots.Length; i++)
        {
            SequenceState? s = _slots[i];
            slots[i] = s is null
                ? new SlotSnapshot(i, SlotState.Idle, null, 0, 0)
                : new SlotSnapshot(i, s.IsGenerating ? SlotState.Generating : SlotState.Prefilling, s.Job.RequestId, s.PromptLength, s.Generated);
        }

        return new EngineSnapshot
        {
            Running = _active.Count,
            Waiting = _queue.Count,
            MaxSequences = _slots.Length,
            QueueCapacity = _queueCapacity,
            KvCellsUsed = KvCellsUsed() - EvictableCells(),
            KvCellsTotal = _contextSize,
            Slots = slots,
            DecodeSteps = _decodeSteps,
            PromptTokensProcessed = _promptTokensProcessed,
            TokensGenerated = _tokensGenerated,
            Preemptions = _preemptions,
            HostPrefixBytes = _hostStore?.Bytes ?? 0,
            HostPrefixEntries = _hostStore?.Count ?? 0,
            StepSeconds = _profile.Seconds(),
        };
    }
}
