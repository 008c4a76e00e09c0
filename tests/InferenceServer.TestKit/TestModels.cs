using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using InferenceServer.ModelTools.Models;
using InferenceServer.ModelTools.Tokenization;

namespace InferenceServer.TestKit;

/// <summary>
/// Self-made GGUF models for tests, generated once per process (and shared across processes) under
/// <c>{temp}/inferenceserver-testmodels</c>. File names carry a hash of the key and of the ModelTools build, so a
/// changed generator never reuses a stale file. Files are written to a unique temporary name and renamed into place,
/// so parallel test processes are safe. All members are thread-safe.
/// </summary>
public static class TestModels
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> Cache = new(StringComparer.Ordinal);

    /// <summary>Greedy output of <see cref="Scripted"/> for any prompt whose last token is not a script token.</summary>
    public const string ScriptText = ScriptedModelFactory.DefaultScript;

    /// <summary>Folder the models are written to.</summary>
    public static string Directory { get; } = Path.Combine(Path.GetTempPath(), "inferenceserver-testmodels");

    /// <summary>
    /// Random weights (seed 42), vocabulary 512 ("gpt2" BPE trained on the built-in corpus, padded with reserved control
    /// tokens), embedding 64, 2 blocks, 4 heads, 2 KV heads, feed-forward 172, context 2048, F32, ChatML template.
    /// About 156K parameters, 0.6 MB; loads in ~0.1 s.
    /// </summary>
    public static string TinyRandom => RandomWeights("tiny-random-v1", TinyRandomSpec, seed: 42);

    /// <summary>
    /// Random weights like <see cref="TinyRandom"/> but about 9.4M parameters (embedding 384, 6 blocks, 6 heads, 2 KV heads,
    /// feed-forward 1024, F32, 38 MB): milliseconds per token on one thread, so a stream arrives in many visible pieces and
    /// can be stopped in the middle (the chat page's browser tests).
    /// </summary>
    public static string SlowRandom => RandomWeights("slow-random-v1", new LlamaModelSpec
    {
        EmbeddingLength = 384,
        BlockCount = 6,
        HeadCount = 6,
        HeadCountKv = 2,
        FeedForwardLength = 1024,
        ContextLength = 2048,
        Name = "inferenceserver-slow-random",
    }, seed: 7);

    /// <summary>A model of <paramref name="spec"/> with random weights and the 512-token built-in BPE vocabulary.</summary>
    private static string RandomWeights(string key, LlamaModelSpec spec, int seed) => GetOrCreate(key, path =>
    {
        var vocabulary = ByteLevelBpeTrainer.Train(BuiltInCorpus.Text, 512, []);
        LlamaGgufFile.Write(path, spec, vocabulary, LlamaWeights.CreateRandom(spec, vocabulary.Count, seed));
    });

    /// <summary>The shape of <see cref="TinyRandom"/>.</summary>
    public static LlamaModelSpec TinyRandomSpec { get; } = new()
    {
        EmbeddingLength = 64,
        BlockCount = 2,
        HeadCount = 4,
        HeadCountKv = 2,
        FeedForwardLength = 172,
        ContextLength = 2048,
        Name = "inferenceserver-tiny-random",
    };

    /// <summary>
    /// A model whose greedy continuation of any prompt not ending in a script token is exactly <see cref="ScriptText"/>,
    /// then end-of-text (<c>&lt;|endoftext|&gt;</c>). The 🌍 in the script spans several tokens (UTF-8 split across
    /// tokens). ChatML template; vocabulary 384; context 2048; about 0.9M parameters (3.7 MB).
    /// </summary>
    public static string Scripted => GetOrCreate("scripted-v1", path =>
    {
        var (spec, vocabulary, weights) = ScriptedModelFactory.Create(ScriptText);
        LlamaGgufFile.Write(path, spec, vocabulary, weights);
    });

    /// <summary>
    /// Returns the path of the model named by <paramref name="key"/>, calling <paramref name="write"/> with a path
    /// to write it to the first time (in this process, when no other process has written it yet). The key must
    /// describe the content fully: same key, same file.
    /// </summary>
    public static string GetOrCreate(string key, Action<string> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(write);
        return Cache.GetOrAdd(key, k => new Lazy<string>(() => Create(k, write), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }

    private static string Create(string key, Action<string> write)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var target = Path.Combine(Directory, $"{Sanitize(key)}-{Hash(key)}.gguf");
        if (File.Exists(target)) return target;
        var temp = Path.Combine(Directory, $".{Path.GetFileName(target)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            write(temp);
            if (!File.Exists(temp)) throw new InvalidOperationException($"The writer for test model '{key}' did not create {temp}.");
            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        return target;
    }

    private static string Sanitize(string key) =>
        new(key.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').Take(64).ToArray());

    private static string Hash(string key)
    {
        var build = typeof(LlamaGgufFile).Assembly.ManifestModule.ModuleVersionId.ToString("N");
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"{key}\n{build}"));
        return Convert.ToHexStringLower(bytes)[..16];
    }
}
