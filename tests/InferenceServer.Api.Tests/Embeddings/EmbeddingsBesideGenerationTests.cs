using InferenceServer.Api.Tests.RealEngine;
using static InferenceServer.Api.Tests.Infrastructure.Http;

namespace InferenceServer.Api.Tests.Embeddings;

/// <summary>Embeddings have their own context and worker: they are answered while every generation slot is busy and
/// generation requests are still queued.</summary>
public sealed class EmbeddingsBesideGenerationTests(IsolatedTinyRandomEngineFactory factory) : IClassFixture<IsolatedTinyRandomEngineFactory>
{
    [Fact]
    public async Task An_embedding_request_does_not_wait_behind_queued_generation()
    {
        var client = await factory.ReadyClientAsync();
        var before = (await EmbeddingsTests.EmbedAsync(client, "\"steady input\""))[0];
        using var cancel = new CancellationTokenSource();

        var generations = Enumerable.Range(0, 8)
            .Select(_ => client.PostAsync("/v1/completions", Json("{\"model\":\"tiny-random\",\"prompt\":\"count\",\"max_tokens\":1900,\"ignore_eos\":true,\"temperature\":0}"), cancel.Token))
            .ToList();
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (factory.Engine.GetSnapshot().Waiting == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the generation requests never filled the slots");
                await Task.Delay(10);
            }

            var during = (await EmbeddingsTests.EmbedAsync(client, "\"steady input\""))[0];

            Assert.True(factory.Engine.GetSnapshot().Waiting > 0, "the queued generation requests were served before the embedding answer");
            Assert.DoesNotContain(generations, g => g.IsCompleted);
            Assert.Equal(before, during);
        }
        finally
        {
            await cancel.CancelAsync();
            foreach (var generation in generations)
            {
                try
                {
                    (await generation).Dispose();
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }
}
