namespace InferenceServer.ModelTools.Models;

/// <summary>llama.cpp tensor names for the llama architecture.</summary>
public static class LlamaTensorNames
{
    public const string TokenEmbedding = "token_embd.weight";
    public const string OutputNorm = "output_norm.weight";
    public const string Output = "output.weight";

    public static string AttentionNorm(int block) => $"blk.{block}.attn_norm.weight";
    public static string Query(int block) => $"blk.{block}.attn_q.weight";
    public static string Key(int block) => $"blk.{block}.attn_k.weight";
    public static string Value(int block) => $"blk.{block}.attn_v.weight";
    public static string AttentionOutput(int block) => $"blk.{block}.attn_output.weight";
    public static string FeedForwardNorm(int block) => $"blk.{block}.ffn_norm.weight";
    public static string Gate(int block) => $"blk.{block}.ffn_gate.weight";
    public static string Up(int block) => $"blk.{block}.ffn_up.weight";
    public static string Down(int block) => $"blk.{block}.ffn_down.weight";
}
