using System.Text;

namespace InferenceServer.Training.Data;

/// <summary>The chatml layout llama.cpp's built-in "chatml" template produces (verified against it in tests).</summary>
public static class ChatMlFormatter
{
    public const string ImStart = "<|im_start|>";
    public const string ImEnd = "<|im_end|>";
    public const string EndOfText = "<|endoftext|>";

    /// <summary>The chatml Jinja template stored in the GGUF (llama.cpp recognises it as chatml).</summary>
    public const string JinjaTemplate =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    /// <summary>Messages followed by the assistant header, ready for the model to continue.</summary>
    public static string FormatPrompt(IEnumerable<ChatTurn> messages)
    {
        var sb = new StringBuilder();
        foreach (var m in messages) sb.Append(ImStart).Append(m.Role).Append('\n').Append(m.Content).Append(ImEnd).Append('\n');
        sb.Append(ImStart).Append("assistant\n");
        return sb.ToString();
    }
}
