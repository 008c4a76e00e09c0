using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using InferenceServer.Core.Engine;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;

namespace InferenceServer.Api.Tests.Infrastructure;

/// <summary>A scripted engine: streams canned updates, can refuse synchronously, hold the stream on a gate,
/// fail mid-stream, and reports when its cancellation token fired.</summary>
public sealed class FakeInferenceEngine : IInferenceEngine
{
    public const string ModelId = "tiny-test";
    public const long ModelCreated = 1_700_000_000;

    public bool IsReady { get; set; } = true;
    /// <summary>Thrown by <see cref="Generate"/> before any streaming (admission errors).</summary>
    public Exception? ThrowOnGenerate { get; set; }
    /// <summary>Text pieces each choice streams (default "Hello", " world").</summary>
    public IReadOnlyList<string> Pieces { get; set; } = ["Hello", " world"];
    public FinishReason Finish { get; set; } = FinishReason.Stop;
    /// <summary>When set, the stream waits for it after the first piece.</summary>
    public TaskCompletionSource? Gate { get; set; }
    /// <summary>Thrown after the first piece.</summary>
    public Exception? FailAfterFirst { get; set; }
    public bool WithLogprobs { get; set; } = true;

    public ConcurrentQueue<GenerationRequest> Requests { get; } = new();
    public TaskCompletionSource CancellationObserved { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public FakeChatTemplate Template { get; } = new();

    public ModelMetadata Model => IsReady
        ? new ModelMetadata { Id = ModelId, Architecture = "llama", ContextSize = 256, TrainingContextLength = 256, BatchSize = 64, MaxSequences = 4, VocabSize = FakeTokenizer.Vocab, Created = ModelCreated }
        : throw new InferenceException(InferenceErrorKind.ModelNotReady, "The model is loading; retry shortly.");

    public ITokenizer Tokenizer { get; } = new FakeTokenizer();
    public IChatTemplate ChatTemplate => Template;

    public EngineSnapshot GetSnapshot() => new() { Running = 0, Waiting = 0, MaxSequences = 4, QueueCapacity = 8, KvCellsUsed = 0, KvCellsTotal = 256, Slots = [] };

    public IAsyncEnumerable<GenerationUpdate> Generate(GenerationRequest request, CancellationToken cancellationToken)
    {
        if (ThrowOnGenerate is { } ex)
        {
            throw ex;
        }

        Requests.Enqueue(request);
        return StreamAsync(request, cancellationToken);
    }

    private async IAsyncEnumerable<GenerationUpdate> StreamAsync(GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            await Task.Yield();
            for (var i = 0; i < Pieces.Count; i++)
            {
                var piece = Pieces[i];
                yield return new GenerationUpdate { Text = piece, Logprobs = request.TopLogprobs is { } top && WithLogprobs ? [Logprob(piece, top)] : null };
                if (i == 0)
                {
                    if (FailAfterFirst is { } failure)
                    {
                        throw failure;
                    }

                    if (Gate is { } gate)
                    {
                        await gate.Task.WaitAsync(cancellationToken);
                    }
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            yield return new GenerationUpdate
            {
                FinishReason = Finish,
                Usage = new Usage(request.PromptTokens.Count, Pieces.Count),
                Timings = new GenerationTimings(TimeSpan.Zero, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(2), TimeSpan.Zero),
            };
        }
        finally
        {
            // Not a token registration: the iterator's own unwinding would dispose it before it runs.
            if (cancellationToken.IsCancellationRequested)
            {
                CancellationObserved.TrySetResult();
            }
        }
    }

    private static TokenLogprob Logprob(string piece, int top) =>
        new(piece[0], piece, Encoding.UTF8.GetBytes(piece), -0.25f, Enumerable.Range(0, top).Select(k => new TopLogprob(k, "alt" + k, Encoding.UTF8.GetBytes("alt" + k), -1f - k)).ToList());

    public void BeginDrain() => IsReady = false;

    public Task WaitForIdleAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>One token per UTF-16 char (token id = char code).</summary>
public sealed class FakeTokenizer : ITokenizer
{
    public const int Vocab = 65536;

    public int VocabSize => Vocab;

    public int[] Tokenize(string text, bool addSpecial, bool parseSpecial) => text.Select(c => (int)c).ToArray();

    public byte[] TokenBytes(int token) => Encoding.UTF8.GetBytes(((char)token).ToString());

    public string Detokenize(IReadOnlyList<int> tokens) => new(tokens.Select(t => (char)t).ToArray());

    public bool IsEndOfGeneration(int token) => token == 0;
}

/// <summary>"role: content" lines, then "assistant:"; remembers the last rendering.</summary>
public sealed class FakeChatTemplate : IChatTemplate
{
    public string Name => "fake";
    public string? LastPrompt { get; private set; }
    public IReadOnlyList<ChatMessage>? LastMessages { get; private set; }
    public ChatTemplateInput? LastInput { get; private set; }

    public string Render(ChatTemplateInput input)
    {
        LastInput = input;
        LastMessages = input.Messages;
        LastPrompt = string.Concat(input.Messages.Select(m => $"{m.Role}: {m.Content}\n")) + (input.AddGenerationPrompt ? "assistant:" : "");
        return LastPrompt;
    }
}
