using InferenceServer.Core.Errors;
using InferenceServer.Core.Generation;
using InferenceServer.LlamaSharp.Tests.Fixtures;

namespace InferenceServer.LlamaSharp.Tests;

[Collection(ModelCollection.Name)]
public sealed class LlamaSharpChatTemplateTests(ModelFiles files)
{
    private static readonly ChatMessage[] Conversation =
    [
        new("system", "Be brief."),
        new("user", "Hi"),
        new("assistant", "Hello."),
        new("tool", "42"),
        new("user", "Bye"),
    ];

    private const string ExpectedChatml =
        "<|im_start|>system\nBe brief.<|im_end|>\n" +
        "<|im_start|>user\nHi<|im_end|>\n" +
        "<|im_start|>assistant\nHello.<|im_end|>\n" +
        "<|im_start|>tool\n42<|im_end|>\n" +
        "<|im_start|>user\nBye<|im_end|>\n";

    [Fact]
    public void The_models_own_chatml_template_renders_with_a_generation_prompt()
    {
        using var backend = TestBackends.Create(files.Tiny);

        Assert.Equal("gguf", backend.ChatTemplate.Name);
        Assert.Equal(ExpectedChatml + "<|im_start|>assistant\n", backend.ChatTemplate.Apply(Conversation, addGenerationPrompt: true));
        Assert.Equal(ExpectedChatml, backend.ChatTemplate.Apply(Conversation, addGenerationPrompt: false));
    }

    [Fact]
    public void A_model_without_a_template_falls_back_to_chatml()
    {
        using var backend = TestBackends.Create(files.TinyWithoutTemplate);

        Assert.Equal("chatml", backend.ChatTemplate.Name);
        Assert.Equal(ExpectedChatml + "<|im_start|>assistant\n", backend.ChatTemplate.Apply(Conversation, addGenerationPrompt: true));
        Assert.Null(backend.ChatTemplate.Source);

        // llama.cpp's built-ins know no "developer" role: it renders as system.
        Assert.StartsWith("<|im_start|>system\nBe brief.", backend.ChatTemplate.Apply([new("developer", "Be brief.")], addGenerationPrompt: false));
    }

    [Fact]
    public void A_configured_built_in_name_overrides_the_models_template()
    {
        using var backend = TestBackends.Create(files.Tiny, o => o.ChatTemplate = "llama3");

        var text = backend.ChatTemplate.Apply([new ChatMessage("user", "Hi")], addGenerationPrompt: true);

        Assert.Equal("llama3", backend.ChatTemplate.Name);
        Assert.Contains("<|start_header_id|>user<|end_header_id|>", text);
        Assert.EndsWith("<|start_header_id|>assistant<|end_header_id|>\n\n", text);
    }

    [Fact]
    public void An_unknown_template_fails_at_load_time_with_a_clear_message()
    {
        var factory = TestBackends.Factory(files.Tiny, o => o.ChatTemplate = "no-such-template");

        var ex = Assert.Throws<InferenceException>(() => factory.Create(CancellationToken.None));

        Assert.Contains("no-such-template", ex.Message);
        Assert.Contains("Model:ChatTemplate", ex.Message);
    }

    [Fact]
    public void Rendering_from_many_threads_is_safe()
    {
        using var backend = TestBackends.Create(files.Tiny);
        var expected = ExpectedChatml + "<|im_start|>assistant\n";

        var results = new string[200];
        Parallel.For(0, results.Length, i => results[i] = backend.ChatTemplate.Apply(Conversation, true));

        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Fact]
    public void Rendered_prompts_tokenize_with_control_tokens()
    {
        using var backend = TestBackends.Create(files.Tiny);

        var prompt = backend.ChatTemplate.Apply([new ChatMessage("user", "Hi")], true);
        var tokens = backend.Tokenizer.Tokenize(prompt, addSpecial: true, parseSpecial: true);

        Assert.Equal(TinyGguf.ImStartId, tokens[0]);
        Assert.Equal(2, tokens.Count(t => t == TinyGguf.ImStartId));
        Assert.Equal(1, tokens.Count(t => t == TinyGguf.ImEndId));
    }
}
