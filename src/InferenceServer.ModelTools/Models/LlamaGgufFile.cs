using InferenceServer.ModelTools.Gguf;
using InferenceServer.ModelTools.Tokenization;

namespace InferenceServer.ModelTools.Models;

/// <summary>Writes a complete llama-architecture GGUF model (hyperparameters, "gpt2" tokenizer, chat template, tensors).</summary>
public static class LlamaGgufFile
{
    /// <summary>Writes atomically (temporary file + rename).</summary>
    public static void Write(string path, LlamaModelSpec spec, BpeVocabulary vocabulary, LlamaWeights weights, string? chatTemplate = ChatTemplates.ChatMl) =>
        CreateWriter(spec, vocabulary, weights, chatTemplate).WriteFile(path);

    public static void Write(Stream stream, LlamaModelSpec spec, BpeVocabulary vocabulary, LlamaWeights weights, string? chatTemplate = ChatTemplates.ChatMl) =>
        CreateWriter(spec, vocabulary, weights, chatTemplate).WriteTo(stream);

    /// <summary>
    /// Builds the writer (callers may add keys before writing). bos = eos = <c>&lt;|endoftext|&gt;</c>,
    /// eot = <c>&lt;|im_end|&gt;</c> (both end generation), add_bos_token = false.
    /// </summary>
    public static GgufWriter CreateWriter(LlamaModelSpec spec, BpeVocabulary vocabulary, LlamaWeights weights, string? chatTemplate = ChatTemplates.ChatMl)
    {
        spec.Validate();
        CheckShapes(spec, vocabulary.Count, weights);
        var w = new GgufWriter();
        w.AddString("general.architecture", "llama");
        w.AddString("general.name", spec.Name);
        w.AddUInt32("general.file_type", spec.TensorType == GgufTensorType.F16 ? 1u : 0u);
        w.AddUInt32("llama.vocab_size", (uint)vocabulary.Count);
        w.AddUInt32("llama.context_length", (uint)spec.ContextLength);
        w.AddUInt32("llama.embedding_length", (uint)spec.EmbeddingLength);
        w.AddUInt32("llama.block_count", (uint)spec.BlockCount);
        w.AddUInt32("llama.feed_forward_length", (uint)spec.FeedForwardLength);
        w.AddUInt32("llama.attention.head_count", (uint)spec.HeadCount);
        w.AddUInt32("llama.attention.head_count_kv", (uint)spec.HeadCountKv);
        w.AddFloat32("llama.attention.layer_norm_rms_epsilon", spec.RmsNormEpsilon);
        w.AddFloat32("llama.rope.freq_base", spec.RopeFreqBase);
        w.AddUInt32("llama.rope.dimension_count", (uint)spec.HeadDimension);
        w.AddString("tokenizer.ggml.model", "gpt2");
        w.AddString("tokenizer.ggml.pre", "default");
        w.AddStringArray("tokenizer.ggml.tokens", vocabulary.Tokens);
        w.AddInt32Array("tokenizer.ggml.token_type", vocabulary.TokenTypes.Select(t => (int)t).ToArray());
        w.AddStringArray("tokenizer.ggml.merges", vocabulary.Merges);
        w.AddUInt32("tokenizer.ggml.bos_token_id", (uint)vocabulary.EndOfTextId);
        w.AddUInt32("tokenizer.ggml.eos_token_id", (uint)vocabulary.EndOfTextId);
        w.AddUInt32("tokenizer.ggml.eot_token_id", (uint)vocabulary.ImEndId);
        w.AddUInt32("tokenizer.ggml.padding_token_id", (uint)vocabulary.EndOfTextId);
        w.AddBool("tokenizer.ggml.add_bos_token", false);
        w.AddBool("tokenizer.ggml.add_eos_token", false);
        if (chatTemplate is not null) w.AddString("tokenizer.chat_template", chatTemplate);
        foreach (var t in weights.Tensors)
        {
            w.AddTensor(t.Name, t.Shape, t.Data, t.IsVector ? GgufTensorType.F32 : spec.TensorType);
        }
        return w;
    }

    private static void CheckShapes(LlamaModelSpec spec, int vocabSize, LlamaWeights weights)
    {
        var expected = LlamaWeights.CreateShapes(spec, vocabSize);
        foreach (var (name, shape) in expected)
        {
            if (!weights.Contains(name)) throw new ArgumentException($"Tensor '{name}' is missing.");
            if (!weights[name].Shape.SequenceEqual(shape))
                throw new ArgumentException($"Tensor '{name}' has shape [{string.Join(", ", weights[name].Shape)}], expected [{string.Join(", ", shape)}].");
        }
    }
}
