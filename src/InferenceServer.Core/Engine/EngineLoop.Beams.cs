using System.Text;
using InferenceServer.Core.Diagnostics;
using InferenceServer.Core.Engine.Beams;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;

namespace InferenceServer.Core.Engine;

/// <summary>
/// Beam search in the loop. A beam job is admitted only when <c>beam_width</c> slots are free and reserves them all
/// (<see cref="ReserveBeamSlots"/>); its own sequence prefills the prompt like any other. From then on every live beam
/// is an ordinary generating sequence in its own slot, planned and decoded in the same batches as everything else.
/// After each decode the beams report their candidates instead of sampling (<see cref="TryRecordBeamLogits"/>), and
/// <see cref="AdvanceBeamGroups"/> picks the next beams: a beam continued once keeps its slot, each further child gets
/// a free slot of the group whose KV cells are a copy of the parent's (<see cref="IModelBackend.CopySequence"/>:
/// the prompt's cells are shared, never recomputed). A preempted beam restarts its whole group from the prompt
/// (deterministic, so the answer is the same).
/// Hooks: Step (<see cref="ReleaseFinishedBeamGroups"/>), Admit (<see cref="HasSlotsFor"/>, <see cref="ReserveBeamSlots"/>),
/// ProcessDecoded (<see cref="TryRecordBeamLogits"/>, <see cref="AdvanceBeamGroups"/>), Preempt (<see cref="RestartBeamGroup"/>).
/// </summary>
internal sealed partial class EngineLoop
{
    private readonly Dictionary<InferenceJob, BeamGroup> _beamGroups = [];

    private bool HasSlotsFor(InferenceJob job)
    {
        if (job.Request.BeamSearch is not { Width: var width } || job.IsCancelled)
        {
            return true;
        }

        ReleaseFinishedBeamGroups();
        return _slots.Count(s => s is null) >= width;
    }

    private void ReserveBeamSlots(InferenceJob job)
    {
        if (job.Request.BeamSearch is not { } beam || job.Sequence is not { SlotId: >= 0 } primary || _beamGroups.ContainsKey(job))
        {
            return;
        }

        var members = new List<SequenceState> { primary };
        for (int i = 1; i < beam.Width; i++)
        {
            // An idle slot may hold a cached prefix: the beam takes it over (empty slots first, then LRU).
            int slot = FreeSlotToOverwrite();
            DropCachedPrefix(slot);
            var member = new SequenceState(job, NoTokenSampler.Instance, new SequenceOutput([], false))
            {
                SlotId = slot,
                AdmissionOrder = primary.AdmissionOrder,
                AdmittedTimestamp = primary.AdmittedTimestamp,
                AdmittedAt = primary.AdmittedAt,
                // Members start from the prompt's cells: their prefill is the job's own (no span of their own).
                PrefillDoneTimestamp = primary.AdmittedTimestamp,
                PrefillDoneAt = primary.AdmittedAt,
            };
            _slots[slot] = member;
            members.Add(member);
        }

        int limit = Math.Max(1, Math.Min(job.Request.MaxTokens ?? int.MaxValue, _maxSequenceLength - primary.PromptLength));
        _beamGroups[job] = new BeamGroup(job, new BeamSearch(beam.Width, beam.LengthPenalty, beam.N, limit), members);
    }

    /// <summary>Records a live beam's candidates from its logits; true when <paramref name="sequence"/> is a beam.</summary>
    private bool TryRecordBeamLogits(SequenceState sequence, int batchIndex)
    {
        if (!_beamGroups.TryGetValue(sequence.Job, out BeamGroup? group))
        {
            return false;
        }

        GenerationRequest request = sequence.Job.Request;
        float[] logits = _backend.GetLogits(batchIndex).ToArray();
        foreach (var (token, bias) in request.Sampling.LogitBias)
        {
            if ((uint)token < (uint)logits.Length)
            {
                logits[token] += bias;
            }
        }

        if (request.Sampling.IgnoreEos)
        {
            foreach (int token in EndOfGenerationTokens(group, logits.Length))
            {
                logits[token] = float.NegativeInfinity;
            }
        }

        float logZ = LogprobCalculator.LogSumExp(logits);
        var candidates = LogprobCalculator.TopIndices(logits, 2 * group.Search.Width)
            .Select(t => (t, (double)(logits[t] - logZ)))
            .Where(c => !double.IsNegativeInfinity(c.Item2))
            .ToList();
        group.Reports[sequence] = new BeamReport(logits, logZ, candidates);
        sequence.FirstTokenTimestamp ??= _time.GetTimestamp();
        return true;
    }

    private int[] EndOfGenerationTokens(BeamGroup group, int vocabSize) =>
        group.EndOfGenerationTokens ??= [.. Enumerable.Range(0, vocabSize).Where(_tokenizer.IsEndOfGeneration)];

    /// <summary>After a decode: every group whose live beams all reported takes one beam-search step.</summary>
    private void AdvanceBeamGroups()
    {
        if (_beamGroups.Count == 0)
        {
            return;
        }

        foreach (BeamGroup group in _beamGroups.Values.ToList())
        {
            if (group.Job.IsCompleted)
            {
                ReleaseBeamGroup(group);
            }
            else if (group.AllLiveReported)
            {
                try
                {
                    StepBeamGroup(group);
                }
                catch (Exception ex)
                {
                    _logger.SequenceFailed(group.Job.RequestId, ex);
                    ReleaseBeamGroup(group);
                    group.Job.TryComplete(null, new InferenceException(InferenceErrorKind.Internal, "Beam search failed.", inner: ex));
                }
            }
        }
    }

    private void StepBeamGroup(BeamGroup group)
    {
        GenerationRequest request = group.Job.Request;
        List<SequenceState> live = group.LiveMembers;
        var candidates = new List<BeamSearch.Candidate>();
        for (int i = 0; i < live.Count; i++)
        {
            foreach (var (token, logprob) in group.Reports[live[i]].Candidates)
            {
                bool eog = !request.Sampling.IgnoreEos && _tokenizer.IsEndOfGeneration(token);
                candidates.Add(new BeamSearch.Candidate(i, token, logprob, eog));
            }
        }

        IReadOnlyList<BeamSearch.Beam> parents = group.Search.Live;
        IReadOnlyList<BeamSearch.Child> children = group.Search.Step(candidates,
            c => c.EndOfGeneration || HitsStop(request, parents[c.Parent].Tokens, c.Token),
            c => request.TopLogprobs is { } top
                ? LogprobCalculator.Compute(group.Reports[live[c.Parent]].Logits, c.Token, top, _tokenizer)
                : null);
        _tokensGenerated += children.Count;
        group.Reports.Clear();
        Fork(group, live, children);
        if (group.Search.IsDone)
        {
            CompleteBeamGroup(group);
        }
    }

    /// <summary>Puts each live child in a slot: the first child of a parent keeps the parent's slot, further ones get a
    /// free slot of the group holding a copy of the parent's KV cells. Copies happen before any parent grows.</summary>
    private void Fork(BeamGroup group, List<SequenceState> live, IReadOnlyList<BeamSearch.Child> children)
    {
        var liveChildren = children.Where(c => c.LiveIndex >= 0).OrderBy(c => c.LiveIndex).ToList();
        var continued = new bool[live.Count];
        foreach (var child in liveChildren)
        {
            continued[child.Parent] = true;
        }

        var free = new Queue<SequenceState>(group.Members.Where(m => !live.Contains(m)).Concat(live.Where((_, i) => !continued[i])));
        foreach (SequenceState idle in free)
        {
            Deactivate(idle);
        }

        var next = new SequenceState[liveChildren.Count];
        var taken = new bool[live.Count];
        foreach (var child in liveChildren)
        {
            SequenceState parent = live[child.Parent];
            if (!taken[child.Parent])
            {
                taken[child.Parent] = true;
                next[child.LiveIndex] = parent;
                continue;
            }

            SequenceState copy = free.Dequeue();
            _backend.CopySequence(parent.SlotId, copy.SlotId, parent.DecodedCount);
            _ledger.CopyPrefix(parent.SlotId, copy.SlotId, parent.DecodedCount);
            copy.Tokens.Clear();
            copy.Tokens.AddRange(parent.Tokens);
            copy.DecodedCount = parent.DecodedCount;
            _active.Add(copy);
            next[child.LiveIndex] = copy;
        }

        foreach (var child in liveChildren)
        {
            next[child.LiveIndex].Tokens.Add(child.Token);
        }

        group.LiveMembers = [.. next];
    }

    /// <summary>A group member without a live beam: out of the plan, KV cells freed, slot still reserved.</summary>
    private void Deactivate(SequenceState member)
    {
        _active.Remove(member);
        Trim(member.SlotId, 0);
        member.DecodedCount = 0;
        member.Tokens.RemoveRange(member.PromptLength, member.Tokens.Count - member.PromptLength);
    }

    private bool HitsStop(GenerationRequest request, IReadOnlyList<int> tokens, int token)
    {
        if (request.StopSequences.Count == 0)
        {
            return false;
        }

        var bytes = new List<byte>();
        foreach (int t in tokens.Append(token))
        {
            bytes.AddRange(_tokenizer.TokenBytes(t));
        }

        string text = Encoding.UTF8.GetString([.. bytes]);
        return request.StopSequences.Any(stop => text.Contains(stop, StringComparison.Ordinal));
    }

    private void CompleteBeamGroup(BeamGroup group)
    {
        InferenceJob job = group.Job;
        GenerationRequest request = job.Request;
        SequenceState primary = group.Members[0];
        var results = new List<BeamResult>();
        foreach (BeamSearch.Hypothesis hypothesis in group.Search.Results())
        {
            var output = new SequenceOutput(request.StopSequences, request.TopLogprobs is not null);
            var text = new StringBuilder();
            var logprobs = new List<TokenLogprob>();
            for (int i = 0; i < hypothesis.Tokens.Count && !output.Stopped; i++)
            {
                var (piece, released, _) = output.OnToken(_tokenizer.TokenBytes(hypothesis.Tokens[i]), hypothesis.Logprobs[i]);
                text.Append(piece);
                logprobs.AddRange(released ?? []);
            }

            var (tail, rest) = output.Finish();
            text.Append(tail);
            logprobs.AddRange(rest ?? []);
            results.Add(new BeamResult(text.ToString(), request.TopLogprobs is null ? null : logprobs, hypothesis.Cumulative, hypothesis.Reason, hypothesis.Tokens.Count));
        }

        int generated = results.Sum(r => r.Tokens);
        var final = new GenerationUpdate
        {
            FinishReason = results[0].FinishReason,
            Beams = results,
            Usage = new Usage(primary.PromptLength, generated),
            Timings = Timings(job, primary),
        };
        ReleaseBeamGroup(group);
        _logger.SequenceFinished(job.RequestId, results[0].FinishReason.ToString(), -1, primary.PromptLength, primary.CachedPromptTokens, generated, final.Timings);
        job.TryComplete(final);
    }

    /// <summary>Frees every slot of the group (KV cells included) and the job's sampler chain (idempotent: a
    /// cancelled primary already disposed it), and forgets the group.</summary>
    private void ReleaseBeamGroup(BeamGroup group)
    {
        _beamGroups.Remove(group.Job);
        group.Members[0].Sampler.Dispose();
        foreach (SequenceState member in group.Members)
        {
            if (member.SlotId >= 0 && _slots[member.SlotId] == member)
            {
                ReleaseSlot(member);
            }
        }
    }

    /// <summary>Groups whose job ended elsewhere (cancelled, failed) give their reserved slots back.</summary>
    private void ReleaseFinishedBeamGroups()
    {
        if (_beamGroups.Count == 0)
        {
            return;
        }

        foreach (BeamGroup group in _beamGroups.Values.Where(g => g.Job.IsCompleted).ToList())
        {
            ReleaseBeamGroup(group);
        }
    }

    /// <summary>Preempting any beam restarts its whole group from the prompt; true when it was a beam.</summary>
    private bool RestartBeamGroup(SequenceState sequence, string reason)
    {
        if (!_beamGroups.TryGetValue(sequence.Job, out BeamGroup? group))
        {
            return false;
        }

        InferenceJob job = group.Job;
        _logger.SequencePreempted(job.RequestId, sequence.SlotId, reason, sequence.Tokens.Count);
        ReleaseBeamGroup(group);
        job.Sequence = null;
        _preemptions++;
        job.Preemptions++;
        if (job.Preemptions > MaxPreemptionsPerJob)
        {
            job.TryComplete(null, new InferenceException(InferenceErrorKind.Internal,
                "The beam search was preempted too often: the KV cache is too small for the load."));
            return true;
        }

        _queue.EnqueueFront(job);
        return true;
    }
}
