namespace InferenceServer.LlamaSharp.Tests;

/// <summary>How the embedder packs one request's inputs into decodes.</summary>
public sealed class EmbedderPackingTests
{
    private static IReadOnlyList<IReadOnlyList<int>> Inputs(params int[] lengths) =>
        lengths.Select(n => (IReadOnlyList<int>)Enumerable.Repeat(1, n).ToArray()).ToList();

    [Fact]
    public void Inputs_that_fit_go_in_one_decode()
    {
        Assert.Equal([(0, 3)], LlamaSharpEmbedder.Pack(Inputs(10, 20, 30), maxTokens: 60, maxInputs: 32));
    }

    [Fact]
    public void A_new_decode_starts_when_tokens_or_sequences_run_out()
    {
        Assert.Equal([(0, 2), (2, 1)], LlamaSharpEmbedder.Pack(Inputs(10, 20, 31), maxTokens: 60, maxInputs: 32));
        Assert.Equal([(0, 2), (2, 2), (4, 1)], LlamaSharpEmbedder.Pack(Inputs(1, 1, 1, 1, 1), maxTokens: 60, maxInputs: 2));
        Assert.Equal([(0, 1), (1, 1)], LlamaSharpEmbedder.Pack(Inputs(60, 60), maxTokens: 60, maxInputs: 32));
    }
}
