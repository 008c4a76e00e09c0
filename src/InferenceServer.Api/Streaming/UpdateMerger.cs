using System.Runtime.CompilerServices;
using System.Threading.Channels;
using InferenceServer.Core.Generation;

namespace InferenceServer.Api.Streaming;

/// <summary>An update of choice <paramref name="Index"/>.</summary>
public readonly record struct IndexedUpdate(int Index, GenerationUpdate Update);

/// <summary>Interleaves the update streams of n choices in arrival order. A failing source fails the merge.</summary>
public static class UpdateMerger
{
    public static async IAsyncEnumerable<IndexedUpdate> MergeAsync(IReadOnlyList<IAsyncEnumerable<GenerationUpdate>> sources, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (sources.Count == 1)
        {
            await foreach (var update in sources[0].WithCancellation(cancellationToken))
            {
                yield return new IndexedUpdate(0, update);
            }

            yield break;
        }

        var channel = Channel.CreateUnbounded<IndexedUpdate>(new UnboundedChannelOptions { SingleReader = true });
        using var pumpCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pumps = new Task[sources.Count];
        for (var i = 0; i < sources.Count; i++)
        {
            pumps[i] = PumpAsync(i, sources[i], channel.Writer, pumpCancel.Token);
        }

        var completion = Task.WhenAll(pumps).ContinueWith(
            _ => channel.Writer.TryComplete(),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return item;
            }
        }
        finally
        {
            await pumpCancel.CancelAsync();
            await completion;
        }
    }

    private static async Task PumpAsync(int index, IAsyncEnumerable<GenerationUpdate> source, ChannelWriter<IndexedUpdate> writer, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var update in source.WithCancellation(cancellationToken))
            {
                await writer.WriteAsync(new IndexedUpdate(index, update), cancellationToken);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Fail the merge at once; the finally of MergeAsync cancels the other choices.
            writer.TryComplete(ex);
        }
    }
}
