using InferenceServer.ModelTools.Cli;
using InferenceServer.ModelTools.Gguf;

namespace InferenceServer.ModelTools.Tests.Cli;

public sealed class CliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "modeltools-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Generate_writes_a_loadable_model_and_info_prints_it()
    {
        var path = Path.Combine(_dir, "m.gguf");
        var stdout = new StringWriter();
        var rc = CliApp.Run(["generate", "--out", path, "--embd", "32", "--layers", "1", "--heads", "2", "--kv-heads", "1",
            "--ff", "64", "--ctx", "512", "--vocab", "300", "--seed", "3", "--f16"], stdout, new StringWriter());
        Assert.Equal(0, rc);
        Assert.Contains("parameters:", stdout.ToString());
        Assert.Equal(512u, GgufReader.Open(path).Get<uint>("llama.context_length"));
        using (var weights = LlamaHarness.Load(path))
        {
            Assert.Equal(32, weights.EmbeddingSize);
            Assert.Equal(300, weights.Vocab.Count);
        }

        var info = new StringWriter();
        Assert.Equal(0, CliApp.Run(["info", path], info, new StringWriter()));
        Assert.Contains("blk.0.ffn_down.weight", info.ToString());
        Assert.Contains("tokenizer.ggml.pre = \"default\"", info.ToString());
    }

    [Fact]
    public void Generate_with_a_corpus_file_uses_it()
    {
        Directory.CreateDirectory(_dir);
        var corpus = Path.Combine(_dir, "corpus.txt");
        File.WriteAllText(corpus, string.Concat(Enumerable.Repeat("zebra quagga zebra quagga\n", 50)));
        var path = Path.Combine(_dir, "c.gguf");
        Assert.Equal(0, CliApp.Run(["generate", "--out", path, "--vocab", "280", "--corpus", corpus], new StringWriter(), new StringWriter()));
        var tokens = GgufReader.Open(path).Get<string[]>("tokenizer.ggml.tokens");
        Assert.Contains("Ġzebra", tokens);
    }

    [Fact]
    public void Bad_arguments_give_a_usage_error()
    {
        var stderr = new StringWriter();
        Assert.Equal(2, CliApp.Run(["generate", "--embd", "x", "--out", "y"], new StringWriter(), stderr));
        Assert.Contains("--embd", stderr.ToString());
        Assert.Equal(2, CliApp.Run(["nope"], new StringWriter(), new StringWriter()));
    }
}
