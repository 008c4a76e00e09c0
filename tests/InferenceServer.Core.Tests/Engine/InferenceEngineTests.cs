using InferenceServer.Core.Engine;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;
using InferenceServer.Core.Tests.Fakes;
using static InferenceServer.Core.Tests.Fakes.EngineTestKit;

namespace InferenceServer.Core.Tests.Engine;

public class InferenceEngineTests
{
    private static readonly string[] Prompts = ["hello", "abc", "the quick brown fox", "z", "lorem ipsum dolor", "qq", "engine", "batching works"];

    private static async Task<string> Alone(string prompt, int maxTokens)
    {
        var backend = new FakeModelBackend();
        using var engine = Start(backend, maxSequences: 1);
        return (await Run(engine, Request(prompt, maxTokens))).Text;
    }

    [Fact]
    public async Task Concurrent_requests_each_get_exactly_what_they_get_alone()
    {
        var expected = new List<string>();
        for (int i = 0; i < Prompts.Length; i++)
        {
            expected.Add(await Alone(Prompts[i], 10 + i * 3));
        }

        var backend = new FakeModelBackend(contextSize: 512, batchSize: 16);
        using var gate = new DecodeGate(backend, atDecode: 0);
        using var engine = Start(backend, maxSequences: 4, maxPrefillChunk: 4);
        var running = Prompts.Select((p, i) => Run(engine, Request(p, 10 + i * 3))).ToList();
        gate.Release();
        var results = await Task.WhenAll(running);

        for (int i = 0; i < Prompts.Length; i++)
        {
            Assert.Equal(expected[i], results[i].Text);
            Assert.Equal(FinishReason.Length, results[i].Final.FinishReason);
            Assert.Equal(new Usage(Prompts[i].Length, 10 + i * 3), results[i].Final.Usage);
        }

        Assert.Contains(backend.Batches, b => b.Select(t => t.SequenceId).Distinct().Count() > 1);
        await engine.WaitForIdleAsync(CancellationToken.None);
        Assert.Equal(0, backend.LiveSamplers);
        Assert.Equal(0, backend.TotalCells);
    }

    [Fact]
    public async Task A_request_arriving_mid_generation_gets_its_first_token_before_the_others_finish()
    {
        var backend = new FakeModelBackend(contextSize: 1024, batchSize: 64);
        using var gate = new DecodeGate(backend, atDecode: 3);
        using var engine = Start(backend, maxSequences: 4);
        Task<StreamResult> first = Run(engine, Request("hello", 200));
        gate.WaitReached();
        Task<StreamResult> second = Run(engine, Request("world", 5));
        gate.Release();
        await Task.WhenAll(first, second);

        var batches = backend.Batches;
        int secondFirstLogits = batches.FindIndex(b => b.Any(t => t.SequenceId == 1 && t.WantLogits));
        int firstLastStep = batches.FindLastIndex(b => b.Any(t => t.SequenceId == 0));
        Assert.InRange(secondFirstLogits, 4, firstLastStep - 1);
        Assert.Contains(0, batches[secondFirstLogits].Select(t => t.SequenceId)); // the running stream kept decoding
        Assert.Equal(200, (await first).Final.Usage!.CompletionTokens);
    }

    [Fact]
    public async Task A_long_prompt_is_prefilled_in_chunks_without_stalling_a_running_stream()
    {
        var backend = new FakeModelBackend(contextSize: 1024, batchSize: 16);
        using var gate = new DecodeGate(backend, atDecode: 2);
        using var engine = Start(backend, maxSequences: 2, maxPrefillChunk: 8);
        Task<StreamResult> running = Run(engine, Request("hi", 100));
        gate.WaitReached();
        Task<StreamResult> longPrompt = Run(engine, Request(Enumerable.Repeat(3, 200).ToArray(), 3));
        gate.Release();
        await Task.WhenAll(running, longPrompt);

        var prefillSteps = backend.Batches.Where(b => b.Any(t => t.SequenceId == 1 && !t.WantLogits)).ToList();
        Assert.True(prefillSteps.Count >= 200 / 8);
        Assert.All(prefillSteps, b =>
        {
            Assert.Contains(b, t => t.SequenceId == 0 && t.WantLogits);
            Assert.True(b.Count(t => t.SequenceId == 1) <= 8);
        });
    }

    [Fact]
    public async Task Cancelling_mid_stream_frees_the_slot_and_the_next_request_succeeds()
    {
        var backend = new FakeModelBackend(contextSize: 2048);
        using var gate = new DecodeGate(backend, atDecode: 5);
        using var engine = Start(backend, maxSequences: 1);
        using var cts = new CancellationTokenSource();
        var updates = new List<GenerationUpdate>();
        Task consume = Task.Run(async () =>
        {
            await foreach (var u in engine.Generate(Request("cancel me", 1000), cts.Token))
            {
                updates.Add(u);
            }
        });

        gate.WaitReached();
        Assert.Equal(1, engine.GetSnapshot().Running);
        cts.Cancel();
        gate.Release();
        await consume.WaitAsync(TestTimeout);
        await engine.WaitForIdleAsync(CancellationToken.None).WaitAsync(TestTimeout);
        await WaitFor(engine, s => s.Running == 0);

        EngineSnapshot snapshot = engine.GetSnapshot();
        Assert.All(snapshot.Slots, s => Assert.Equal(SlotState.Idle, s.State));
        Assert.Equal(0, snapshot.KvCellsUsed);
        Assert.Equal(0, backend.CellsOf(0));
        Assert.Equal(0, backend.LiveSamplers);
        Assert.Equal(FinishReason.Cancelled, updates[^1].FinishReason);
        Assert.True(updates[^1].Usage!.CompletionTokens < 1000);

        StreamResult next = await Run(engine, Request("next", 4));
        Assert.Equal(FinishReason.Length, next.Final.FinishReason);
        Assert.Equal(await Alone("next", 4), next.Text);
    }

    [Fact]
    public async Task Abandoning_the_enumeration_cancels_the_sequence()
    {
        var backend = new FakeModelBackend(contextSize: 2048);
        using var engine = Start(backend, maxSequences: 1);
        await foreach (var update in engine.Generate(Request("abc", 1500), CancellationToken.None))
        {
            break;
        }

        await engine.WaitForIdleAsync(CancellationToken.None).WaitAsync(TestTimeout);
        Assert.Equal(0, backend.LiveSamplers);
    }

    [Fact]
    public async Task Cancelling_a_waiting_job_removes_it_from_the_queue()
    {
        var backend = new FakeModelBackend();
        using var gate = new DecodeGate(backend, atDecode: 1);
        using var engine = Start(backend, maxSequences: 1);
        Task<StreamResult> running = Run(engine, Request("run", 5));
        gate.WaitReached();
        using var cts = new CancellationTokenSource();
        Task<StreamResult> waiting = Run(engine, Request("wait", 5), cts.Token);
        Assert.Equal(1, engine.GetSnapshot().Waiting);

        cts.Cancel();
        StreamResult cancelled = await waiting;
        Assert.Equal(FinishReason.Cancelled, cancelled.Final.FinishReason);
        Assert.Equal(0, engine.GetSnapshot().Waiting);

        gate.Release();
        Assert.Equal(FinishReason.Length, (await running).Final.FinishReason);
        Assert.Equal(1, backend.SamplersCreated);
    }

    [Fact]
    public async Task Queue_full_is_refused_synchronously()
    {
        var backend = new FakeModelBackend();
        using var gate = new DecodeGate(backend, atDecode: 0);
        using var engine = Start(backend, maxSequences: 1, queueCapacity: 1);
        Task<StreamResult> a = Run(engine, Request("a", 3));
        Task<StreamResult> b = Run(engine, Request("b", 3));
        var ex = Assert.Throws<InferenceException>(() => engine.Generate(Request("c", 3), CancellationToken.None));
        Assert.Equal(InferenceErrorKind.QueueFull, ex.Kind);

        gate.Release();
        await Task.WhenAll(a, b);
        Assert.Equal(FinishReason.Length, (await Run(engine, Request("c", 3))).Final.FinishReason);
    }

    [Fact]
    public async Task Queue_capacity_zero_accepts_only_what_the_slots_can_run()
    {
        var backend = new FakeModelBackend();
        using var gate = new DecodeGate(backend, atDecode: 0);
        using var engine = Start(backend, maxSequences: 2, queueCapacity: 0);
        Task<StreamResult> a = Run(engine, Request("a", 3));
        Task<StreamResult> b = Run(engine, Request("b", 3));
        Assert.Equal(2, engine.InFlight);
        Assert.Equal(InferenceErrorKind.QueueFull,
            Assert.Throws<InferenceException>(() => engine.Generate(Request("c", 3), CancellationToken.None)).Kind);
        gate.Release();
        await Task.WhenAll(a, b);
    }

    [Fact]
    public void Requests_are_validated_eagerly()
    {
        var backend = new FakeModelBackend(contextSize: 16);
        using var engine = Start(backend);

        InferenceErrorKind Kind(GenerationRequest r) =>
            Assert.Throws<InferenceException>(() => engine.Generate(r, CancellationToken.None)).Kind;

        Assert.Equal(InferenceErrorKind.InvalidRequest, Kind(Request(Array.Empty<int>())));
        Assert.Equal(InferenceErrorKind.ContextLengthExceeded, Kind(Request(new int[16])));
        Assert.Equal(InferenceErrorKind.ContextLengthExceeded, Kind(Request(new int[10], maxTokens: 7)));
        Assert.Equal(InferenceErrorKind.InvalidRequest, Kind(Request(new int[10], maxTokens: -1)));
        Assert.Equal(InferenceErrorKind.InvalidRequest, Kind(Request(new int[10], maxTokens: 4) with { BeamSearch = new BeamSearchParameters(Width: 999) }));
        Assert.Equal(InferenceErrorKind.InvalidRequest, Kind(Request(new int[10], maxTokens: 4) with { BeamSearch = new BeamSearchParameters(Width: 2, N: 3) }));
        Assert.Equal(InferenceErrorKind.InvalidRequest, Kind(Request(new int[10], maxTokens: 0) with { PromptLogprobs = 21 }));
        _ = engine.Generate(Request(new int[10], maxTokens: 6), CancellationToken.None); // exactly fits
        _ = engine.Generate(Request(new int[16], maxTokens: 0), CancellationToken.None); // prompt only: the whole context
    }

    [Fact]
    public void Before_a_backend_is_attached_the_engine_is_not_ready()
    {
        using var engine = new InferenceEngine(Microsoft.Extensions.Options.Options.Create(new Core.Options.EngineOptions()), TimeProvider.System);
        Assert.False(engine.IsReady);
        Assert.Equal(InferenceErrorKind.ModelNotReady, Assert.Throws<InferenceException>(() => engine.Model).Kind);
        Assert.Equal(InferenceErrorKind.ModelNotReady, Assert.Throws<InferenceException>(() => engine.Tokenizer).Kind);
        Assert.Equal(InferenceErrorKind.ModelNotReady,
            Assert.Throws<InferenceException>(() => engine.Generate(Request("a"), CancellationToken.None)).Kind);
        engine.Attach(new FakeModelBackend());
        Assert.True(engine.IsReady);
        Assert.Equal("fake", engine.Model.Id);
    }

    [Fact]
    public async Task A_sequence_is_limited_by_the_training_context_when_the_kv_pool_is_larger()
    {
        // 64 KV cells shared by all slots, but the model was trained on 16 positions: one sequence stops there.
        var backend = new FakeModelBackend(contextSize: 64, trainingContext: 16);
        using var engine = Start(backend);
        Assert.Equal(InferenceErrorKind.ContextLengthExceeded,
            Assert.Throws<InferenceException>(() => engine.Generate(Request(new int[16]), CancellationToken.None)).Kind);
        Assert.Equal(InferenceErrorKind.ContextLengthExceeded,
            Assert.Throws<InferenceException>(() => engine.Generate(Request(new int[10], maxTokens: 7), CancellationToken.None)).Kind);
        StreamResult result = await Run(engine, Request("abcdefghij"));
        Assert.Equal(FinishReason.Length, result.Final.FinishReason);
        Assert.Equal(new Usage(10, 6), result.Final.Usage);
    }

    [Fact]
    public async Task Context_full_ends_with_length()
    {
        var backend = new FakeModelBackend(contextSize: 32);
        using var engine = Start(backend);
        StreamResult result = await Run(engine, Request("abcdefghij"));
        Assert.Equal(FinishReason.Length, result.Final.FinishReason);
        Assert.Equal(new Usage(10, 22), result.Final.Usage);
        Assert.Equal(22, result.Text.Length);
    }

    [Fact]
    public async Task End_of_generation_token_ends_with_stop_and_is_not_emitted()
    {
        var backend = new FakeModelBackend { NextToken = (_, position) => position >= 7 ? FakeTokenizer.Eos : FakeTokenizer.Letter('x') };
        using var engine = Start(backend);
        StreamResult result = await Run(engine, Request("abc", 50));
        Assert.Equal(FinishReason.Stop, result.Final.FinishReason);
        Assert.Equal("xxxxx", result.Text); // positions 2..6 produce x, position 7 produces EOS
        Assert.Equal(5, result.Final.Usage!.CompletionTokens);
        GenerationTimings timings = result.Final.Timings!;
        Assert.True(timings.Total >= timings.TimeToFirstToken && timings.TimeToFirstToken >= timings.Queued);
    }

    [Fact]
    public async Task Stop_string_split_across_tokens_truncates_the_output()
    {
        // "hello world" produced one letter per token after the prompt.
        const string script = "hello world and more";
        var backend = new FakeModelBackend { NextToken = (_, position) => Token(script[position - 1]) };
        using var engine = Start(backend);
        StreamResult result = await Run(engine, Request("ab", 30, stop: ["o wo", "zzzz"], topLogprobs: 1));
        Assert.Equal("hell", result.Text);
        Assert.Equal(FinishReason.Stop, result.Final.FinishReason);
        Assert.Equal("hell", string.Concat(result.Logprobs.Take(4).Select(l => l.Token)));
    }

    [Fact]
    public async Task Multibyte_characters_split_across_tokens_stream_as_whole_code_points()
    {
        int[] script = [39, 30, 31, 32, 33, 37, 34, 35, 36, 38, 27, 1, FakeTokenizer.Eos];
        var backend = new FakeModelBackend { NextToken = (_, position) => script[position] };
        using var engine = Start(backend);
        StreamResult result = await Run(engine, Request("a", 40, topLogprobs: 0));
        Assert.Equal("éé中中😀😀 a", result.Text);
        Assert.DoesNotContain('\uFFFD', result.Text);
        Assert.All(result.Updates, u => Assert.False(u.Text.Length > 0 && char.IsLowSurrogate(u.Text[0])));
        Assert.Equal(12, result.Logprobs.Count);
        Assert.Equal(script.Take(12), result.Logprobs.Select(l => l.TokenId));
    }

    [Fact]
    public async Task Logprobs_are_log_softmax_of_the_logits_with_top_alternatives()
    {
        var backend = new FakeModelBackend();
        using var engine = Start(backend);
        StreamResult result = await Run(engine, Request("abc", 6, topLogprobs: 3));
        Assert.Equal(6, result.Logprobs.Count);
        float expected = 10f - MathF.Log(MathF.Exp(10f) + 63f);
        Assert.All(result.Logprobs, l =>
        {
            Assert.Equal(expected, l.Logprob, 4);
            Assert.Equal(3, l.TopLogprobs.Count);
            Assert.Equal(l.TokenId, l.TopLogprobs[0].TokenId);
        });
        Assert.Equal(result.Text, string.Concat(result.Logprobs.Select(l => l.Token)));
    }

    [Fact]
    public async Task Preemption_on_no_kv_slot_gives_the_same_output()
    {
        string[] prompts = ["alpha", "beta", "gamma"];
        var expected = new List<string>();
        foreach (string p in prompts)
        {
            expected.Add(await Alone(p, 20));
        }

        var backend = new FakeModelBackend();
        backend.OnDecode = (index, _) =>
        {
            if (index is 6 or 15)
            {
                Interlocked.Increment(ref backend.InjectNoKvSlot);
            }
        };
        using var engine = Start(backend, maxSequences: 3);
        var results = await Task.WhenAll(prompts.Select(p => Run(engine, Request(p, 20))));
        Assert.Equal(expected, results.Select(r => r.Text));
        Assert.True(engine.GetSnapshot().Preemptions >= 2);
        Assert.All(results, r => Assert.Equal(20, r.Final.Usage!.CompletionTokens));
    }

    [Fact]
    public async Task A_small_kv_cache_preempts_and_recomputes_without_changing_output()
    {
        string[] prompts = ["aaaaaaaaaa", "bbbbbbbbbb", "cccccccccc", "dddddddddd"];
        var expected = new List<string>();
        foreach (string p in prompts)
        {
            expected.Add(await Alone(p, 40));
        }

        var backend = new FakeModelBackend(contextSize: 64, batchSize: 32);
        using var gate = new DecodeGate(backend, atDecode: 0);
        using var engine = Start(backend, maxSequences: 4);
        var running = prompts.Select(p => Run(engine, Request(p, 40))).ToList();
        gate.Release();
        var results = await Task.WhenAll(running);
        Assert.Equal(expected, results.Select(r => r.Text));
        Assert.True(engine.GetSnapshot().Preemptions >= 1);
    }

    [Fact]
    public async Task Cancelling_a_preempted_job_while_it_waits_releases_its_state_on_the_loop()
    {
        var backend = new FakeModelBackend(contextSize: 40, batchSize: 32);
        using var submitted = new ManualResetEventSlim();
        using var preemptedSeen = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        bool sawBoth = false;
        backend.OnDecode = (index, batch) =>
        {
            if (index == 0)
            {
                submitted.Wait(TestTimeout);
            }

            sawBoth |= batch.Any(t => t.SequenceId == 1);
            if (sawBoth && !preemptedSeen.IsSet && batch.All(t => t.SequenceId == 0))
            {
                preemptedSeen.Set();
                release.Wait(TestTimeout);
            }
        };
        using var engine = Start(backend, maxSequences: 2);
        using var cts = new CancellationTokenSource();
        Task<StreamResult> a = Run(engine, Request("aaaaaaaaaa", 25));
        Task<StreamResult> b = Run(engine, Request("bbbbbbbbbb", 25), cts.Token);
        submitted.Set();
        Assert.True(preemptedSeen.Wait(TestTimeout));
        Assert.Equal(1, engine.GetSnapshot().Waiting); // b lost its slot and waits for KV cells
        cts.Cancel();
        release.Set();

        StreamResult cancelled = await b;
        Assert.Equal(FinishReason.Cancelled, cancelled.Final.FinishReason);
        Assert.True(cancelled.Final.Usage!.CompletionTokens > 0);
        Assert.Equal(await Alone("aaaaaaaaaa", 25), (await a).Text);
        await engine.WaitForIdleAsync(CancellationToken.None).WaitAsync(TestTimeout);
        Assert.Equal(0, backend.LiveSamplers);
        Assert.True(engine.GetSnapshot().Preemptions >= 1);
    }

    [Fact]
    public async Task Decode_failure_fails_only_that_batch_and_the_engine_goes_on()
    {
        var backend = new FakeModelBackend();
        backend.OnDecode = (index, _) =>
        {
            if (index == 2)
            {
                Interlocked.Increment(ref backend.InjectFailed);
            }
        };
        using var engine = Start(backend);
        var ex = await Assert.ThrowsAsync<InferenceException>(() => Run(engine, Request("abc", 10)));
        Assert.Equal(InferenceErrorKind.Internal, ex.Kind);
        Assert.Equal(FinishReason.Length, (await Run(engine, Request("abc", 10))).Final.FinishReason);
        Assert.Equal(0, backend.LiveSamplers);
    }

    [Fact]
    public async Task Drain_waits_for_in_flight_work_and_refuses_new_requests()
    {
        var backend = new FakeModelBackend();
        using var gate = new DecodeGate(backend, atDecode: 2);
        using var engine = Start(backend, maxSequences: 1);
        Task<StreamResult> running = Run(engine, Request("abc", 8));
        Task<StreamResult> queued = Run(engine, Request("def", 8));
        gate.WaitReached();

        engine.BeginDrain();
        Assert.False(engine.IsReady);
        Assert.Equal(InferenceErrorKind.ShuttingDown,
            Assert.Throws<InferenceException>(() => engine.Generate(Request("x"), CancellationToken.None)).Kind);
        Task idle = engine.WaitForIdleAsync(CancellationToken.None);
        Assert.False(idle.IsCompleted);

        gate.Release();
        await idle.WaitAsync(TestTimeout);
        Assert.Equal(0, engine.InFlight);
        Assert.Equal(FinishReason.Length, (await running).Final.FinishReason); // both ran to their end
        Assert.Equal(FinishReason.Length, (await queued).Final.FinishReason);
    }

    [Fact]
    public async Task Shutdown_fails_unfinished_jobs()
    {
        var backend = new FakeModelBackend(contextSize: 4096);
        using var gate = new DecodeGate(backend, atDecode: 1);
        using var engine = Start(backend, maxSequences: 1);
        Task<StreamResult> running = Run(engine, Request("abc", 1000));
        Task<StreamResult> queued = Run(engine, Request("def", 10));
        gate.WaitReached();
        Task stop = Task.Run(() => engine.Shutdown(TestTimeout));
        await WaitFor(engine, _ => !engine.IsReady); // the stop request is in before the loop may go on
        gate.Release();
        await stop;
        Assert.Equal(InferenceErrorKind.ShuttingDown, (await Assert.ThrowsAsync<InferenceException>(() => running)).Kind);
        Assert.Equal(InferenceErrorKind.ShuttingDown, (await Assert.ThrowsAsync<InferenceException>(() => queued)).Kind);
        Assert.Equal(0, backend.LiveSamplers);
    }

    [Fact]
    public async Task Snapshot_reports_slots_and_counters()
    {
        var backend = new FakeModelBackend();
        using var gate = new DecodeGate(backend, atDecode: 3);
        using var engine = Start(backend, maxSequences: 2);
        var request = Request("snap", 10);
        Task<StreamResult> run = Run(engine, request);
        gate.WaitReached();
        EngineSnapshot snapshot = engine.GetSnapshot();
        Assert.Equal(1, snapshot.Running);
        Assert.Equal(2, snapshot.MaxSequences);
        Assert.Equal(256, snapshot.KvCellsTotal);
        SlotSnapshot slot = snapshot.Slots[0];
        Assert.Equal((SlotState.Generating, request.RequestId, 4), (slot.State, slot.RequestId, slot.PromptTokens));
        Assert.Equal(SlotState.Idle, snapshot.Slots[1].State);
        Assert.Equal(snapshot.KvCellsUsed, 4 + slot.GeneratedTokens - 1);
        gate.Release();
        await run;
        await WaitFor(engine, s => s.Running == 0 && s.TokensGenerated == 10);
        Assert.Equal(4, engine.GetSnapshot().PromptTokensProcessed);
    }

    private static int Token(char c) => c == ' ' ? FakeTokenizer.Space : FakeTokenizer.Letter(c);
}
