using System.Text;

namespace InferenceServer.LlamaSharp.Tests.Fixtures;

/// <summary>
/// A private, minimal GGUF v3 writer for this test project: a llama-architecture model with random F32 weights and
/// a "gpt2" byte-level vocabulary (256 byte tokens, two merges, three control tokens). Small enough to load in
/// milliseconds. (The shared TestKit generator is the long-term source of test models.)
/// </summary>
internal static class TinyGguf
{
    public const int Embedding = 32;
    public const int Heads = 4;
    public const int KvHeads = 2;
    public const int FeedForward = 64;
    public const int Layers = 2;
    public const int TrainingContext = 2048;

    public const string EndOfText = "<|endoftext|>";
    public const string ImStart = "<|im_start|>";
    public const string ImEnd = "<|im_end|>";

    private const string ChatmlTemplate =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    private const int Alignment = 32;

    /// <summary>The vocabulary: 256 byte tokens, "he", "ll", then the control tokens.</summary>
    public static IReadOnlyList<string> Tokens { get; } = BuildTokens();

    public static int VocabSize => Tokens.Count;
    public static int EndOfTextId => VocabSize - 3;
    public static int ImStartId => VocabSize - 2;
    public static int ImEndId => VocabSize - 1;

    public static void Write(string path, int seed = 1234, bool addBos = false, bool withTemplate = true, string? template = null, string? toolUseTemplate = null)
    {
        var random = new Random(seed);
        var headDim = Embedding / Heads;
        var kvDim = headDim * KvHeads;

        var tensors = new List<(string Name, long[] Shape, float[] Data)>
        {
            ("token_embd.weight", [Embedding, VocabSize], RandomData(random, Embedding * VocabSize, 0.5f)),
            ("output_norm.weight", [Embedding], Ones(Embedding)),
            ("output.weight", [Embedding, VocabSize], RandomData(random, Embedding * VocabSize, 0.5f)),
        };
        for (var layer = 0; layer < Layers; layer++)
        {
            var p = $"blk.{layer}.";
            tensors.Add((p + "attn_norm.weight", [Embedding], Ones(Embedding)));
            tensors.Add((p + "attn_q.weight", [Embedding, Embedding], RandomData(random, Embedding * Embedding, 0.3f)));
            tensors.Add((p + "attn_k.weight", [Embedding, kvDim], RandomData(random, Embedding * kvDim, 0.3f)));
            tensors.Add((p + "attn_v.weight", [Embedding, kvDim], RandomData(random, Embedding * kvDim, 0.3f)));
            tensors.Add((p + "attn_output.weight", [Embedding, Embedding], RandomData(random, Embedding * Embedding, 0.3f)));
            tensors.Add((p + "ffn_norm.weight", [Embedding], Ones(Embedding)));
            tensors.Add((p + "ffn_gate.weight", [Embedding, FeedForward], RandomData(random, Embedding * FeedForward, 0.3f)));
            tensors.Add((p + "ffn_up.weight", [Embedding, FeedForward], RandomData(random, Embedding * FeedForward, 0.3f)));
            tensors.Add((p + "ffn_down.weight", [FeedForward, Embedding], RandomData(random, FeedForward * Embedding, 0.3f)));
        }

        var tokenTypes = Tokens.Select((_, i) => i >= EndOfTextId ? 3 : 1).ToArray();
        var kv = new List<(string Key, Action<BinaryWriter> Write)>
        {
            ("general.architecture", w => WriteString(w, "llama")),
            ("general.name", w => WriteString(w, "tiny-test")),
            ("llama.context_length", w => WriteU32(w, TrainingContext)),
            ("llama.embedding_length", w => WriteU32(w, Embedding)),
            ("llama.block_count", w => WriteU32(w, Layers)),
            ("llama.feed_forward_length", w => WriteU32(w, FeedForward)),
            ("llama.attention.head_count", w => WriteU32(w, Heads)),
            ("llama.attention.head_count_kv", w => WriteU32(w, KvHeads)),
            ("llama.attention.layer_norm_rms_epsilon", w => { w.Write(6u); w.Write(1e-5f); }),
            ("llama.rope.freq_base", w => { w.Write(6u); w.Write(10000f); }),
            ("tokenizer.ggml.model", w => WriteString(w, "gpt2")),
            ("tokenizer.ggml.pre", w => WriteString(w, "default")),
            ("tokenizer.ggml.tokens", w => WriteStringArray(w, Tokens)),
            ("tokenizer.ggml.token_type", w => { w.Write(9u); w.Write(5u); w.Write((ulong)tokenTypes.Length); foreach (var t in tokenTypes) w.Write(t); }),
            ("tokenizer.ggml.merges", w => WriteStringArray(w, ["h e", "l l"])),
            ("tokenizer.ggml.bos_token_id", w => WriteU32(w, EndOfTextId)),
            ("tokenizer.ggml.eos_token_id", w => WriteU32(w, EndOfTextId)),
            ("tokenizer.ggml.add_bos_token", w => { w.Write(7u); w.Write(addBos); }),
        };
        if (withTemplate)
        {
            kv.Add(("tokenizer.chat_template", w => WriteString(w, template ?? ChatmlTemplate)));
        }

        if (toolUseTemplate is not null)
        {
            kv.Add(("tokenizer.chat_template.tool_use", w => WriteString(w, toolUseTemplate)));
        }

        using var stream = File.Create(path);
        using var writer = new BinaryWriter(stream, Encoding.UTF8);
        writer.Write("GGUF"u8);
        writer.Write(3u);
        writer.Write((ulong)tensors.Count);
        writer.Write((ulong)kv.Count);
        foreach (var (key, write) in kv)
        {
            WriteRawString(writer, key);
            write(writer);
        }

        ulong offset = 0;
        foreach (var (name, shape, data) in tensors)
        {
            WriteRawString(writer, name);
            writer.Write((uint)shape.Length);
            foreach (var dim in shape) writer.Write((ulong)dim);
            writer.Write(0u); // GGML_TYPE_F32
            writer.Write(offset);
            offset = Align((ulong)(offset + (ulong)data.Length * 4));
        }

        Pad(writer);
        var dataStart = stream.Position;
        foreach (var (_, _, data) in tensors)
        {
            foreach (var value in data) writer.Write(value);
            Pad(writer, dataStart);
        }
    }

    private static List<string> BuildTokens()
    {
        var tokens = new List<string>(ByteToUnicode()) { "he", "ll", EndOfText, ImStart, ImEnd };
        return tokens;
    }

    /// <summary>GPT-2's byte-to-unicode table: printable bytes map to themselves, the rest to U+0100 onwards.</summary>
    private static string[] ByteToUnicode()
    {
        var result = new string[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            result[b] = printable ? ((char)b).ToString() : ((char)next++).ToString();
        }

        return result;
    }

    private static float[] RandomData(Random random, int count, float scale)
    {
        var data = new float[count];
        for (var i = 0; i < count; i++) data[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        return data;
    }

    private static float[] Ones(int count) => Enumerable.Repeat(1f, count).ToArray();

    private static ulong Align(ulong value) => (value + Alignment - 1) / Alignment * Alignment;

    private static void Pad(BinaryWriter writer, long origin = 0)
    {
        var position = writer.BaseStream.Position - origin;
        var padding = (int)((Alignment - position % Alignment) % Alignment);
        for (var i = 0; i < padding; i++) writer.Write((byte)0);
    }

    private static void WriteRawString(BinaryWriter writer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        writer.Write((ulong)bytes.Length);
        writer.Write(bytes);
    }

    private static void WriteString(BinaryWriter writer, string value)
    {
        writer.Write(8u);
        WriteRawString(writer, value);
    }

    private static void WriteU32(BinaryWriter writer, int value)
    {
        writer.Write(4u);
        writer.Write((uint)value);
    }

    private static void WriteStringArray(BinaryWriter writer, IReadOnlyList<string> values)
    {
        writer.Write(9u);
        writer.Write(8u);
        writer.Write((ulong)values.Count);
        foreach (var value in values) WriteRawString(writer, value);
    }
}
