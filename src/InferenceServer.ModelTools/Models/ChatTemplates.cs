namespace InferenceServer.ModelTools.Models;

/// <summary>Chat templates written into <c>tokenizer.chat_template</c>.</summary>
public static class ChatTemplates
{
    /// <summary>The ChatML Jinja template (as shipped by ChatML models); llama.cpp detects it as "chatml".</summary>
    public const string ChatMl =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";
}
