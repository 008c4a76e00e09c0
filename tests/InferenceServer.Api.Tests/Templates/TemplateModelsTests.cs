using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Json;
using System.Text.Json;
using InferenceServer.Api.Tests.RealEngine;
using InferenceServer.TestKit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Models;

namespace InferenceServer.Api.Tests.Templates;

/// <summary>The scripted model plus a prompt template written in Jinja (examples looped in the system prompt,
/// a filtered user template), besides the three of appsettings.json.</summary>
public sealed class TemplateModelsEngineFactory : RealEngineFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PromptTemplates:jinja-pairs:SystemPrompt"] = "Answer like these:\n{% for e in examples %}{{ loop.index }}. {{ e.user }} -> {{ e.assistant }}\n{% endfor %}",
            ["PromptTemplates:jinja-pairs:UserTemplate"] = "{{ input | trim | upper }}{% if context %} [{{ context }}]{% endif %}",
            ["PromptTemplates:jinja-pairs:Examples:0:User"] = "one",
            ["PromptTemplates:jinja-pairs:Examples:0:Assistant"] = "1",
            ["PromptTemplates:jinja-pairs:Examples:1:User"] = "two",
            ["PromptTemplates:jinja-pairs:Examples:1:Assistant"] = "2",
        }));
    }
}

/// <summary>
/// Configured prompt templates served as models: listed by GET /v1/models, usable as "model" through the unmodified
/// OpenAI .NET SDK on the real engine (scripted model), rendered into the model's own chat template, Jinja fields
/// included.
/// </summary>
public sealed class TemplateModelsTests(TemplateModelsEngineFactory factory) : IClassFixture<TemplateModelsEngineFactory>
{
    private async Task<OpenAIClientOptions> OptionsAsync() => new()
    {
        Endpoint = new Uri(factory.Server.BaseAddress + "v1"),
        Transport = new HttpClientPipelineTransport(await factory.ReadyClientAsync()),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    };

    private async Task<string> ApplyTemplateAsync(string json)
    {
        var client = await factory.ReadyClientAsync();
        using var response = await client.PostAsync("/apply-template", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("prompt").GetString()!;
    }

    [Fact]
    public async Task The_sdk_lists_every_template_as_a_model()
    {
        var models = new OpenAIModelClient(new ApiKeyCredential("sk-test"), await OptionsAsync());

        OpenAIModelCollection list = await models.GetModelsAsync();

        Assert.Equal(RealEngineFactory.ModelId, list[0].Id);
        Assert.Equal(["few-shot-arithmetic", "in-context-qa", "jinja-pairs", "zero-shot"], list.Skip(1).Select(m => m.Id));
        OpenAIModel one = await models.GetModelAsync("in-context-qa");
        Assert.Equal("prompt-template", one.OwnedBy);
    }

    [Fact]
    public async Task The_sdk_chats_with_a_template_model()
    {
        var chat = new ChatClient("few-shot-arithmetic", new ApiKeyCredential("sk-test"), await OptionsAsync());

        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("4 + 4")], new ChatCompletionOptions { Temperature = 0 });

        Assert.Equal("few-shot-arithmetic", completion.Model);
        Assert.Equal(TestModels.ScriptText, completion.Content[0].Text);
    }

    [Fact]
    public async Task A_template_model_renders_its_system_prompt_and_examples_into_the_models_chat_template()
    {
        var prompt = await ApplyTemplateAsync("""{"model":"few-shot-arithmetic","messages":[{"role":"user","content":"4 + 4"}]}""");

        Assert.Equal(
            "<|im_start|>system\nYou solve arithmetic problems. Reply with the number only.<|im_end|>\n" +
            "<|im_start|>user\nCompute: 2 + 3<|im_end|>\n<|im_start|>assistant\n5<|im_end|>\n" +
            "<|im_start|>user\nCompute: 7 * 6<|im_end|>\n<|im_start|>assistant\n42<|im_end|>\n" +
            "<|im_start|>user\nCompute: 10 - 4<|im_end|>\n<|im_start|>assistant\n6<|im_end|>\n" +
            "<|im_start|>user\nCompute: 4 + 4<|im_end|>\n<|im_start|>assistant\n",
            prompt);
    }

    [Fact]
    public async Task Jinja_fields_loop_over_examples_and_filter_the_input()
    {
        var prompt = await ApplyTemplateAsync("""{"model":"jinja-pairs","context":"ctx","messages":[{"role":"user","content":"  three "}]}""");

        Assert.Equal(
            "<|im_start|>system\nAnswer like these:\n1. one -> 1\n2. two -> 2\n<|im_end|>\n" +
            "<|im_start|>user\nONE [ctx]<|im_end|>\n<|im_start|>assistant\n1<|im_end|>\n" +
            "<|im_start|>user\nTWO [ctx]<|im_end|>\n<|im_start|>assistant\n2<|im_end|>\n" +
            "<|im_start|>user\nTHREE [ctx]<|im_end|>\n<|im_start|>assistant\n",
            prompt);
    }

    [Fact]
    public async Task Legacy_completions_accept_a_template_model()
    {
        var client = await factory.ReadyClientAsync();
        using var response = await client.PostAsync("/v1/completions", new StringContent("""{"model":"zero-shot","prompt":"Say hi","max_tokens":3,"temperature":0}""", System.Text.Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.True(response.IsSuccessStatusCode, body.ToString());
        Assert.Equal("zero-shot", body.GetProperty("model").GetString());
    }
}
