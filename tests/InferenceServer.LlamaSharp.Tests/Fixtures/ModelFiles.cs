namespace InferenceServer.LlamaSharp.Tests.Fixtures;

/// <summary>Writes the test models (and some broken files) once into a temporary folder.</summary>
public sealed class ModelFiles : IDisposable
{
    public ModelFiles()
    {
        Directory = Path.Combine(Path.GetTempPath(), "llamasharp-tests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);

        Tiny = Path.Combine(Directory, "tiny-chatml.gguf");
        TinyGguf.Write(Tiny);
        TinyWithBos = Path.Combine(Directory, "tiny-bos.gguf");
        TinyGguf.Write(TinyWithBos, addBos: true);
        TinyWithoutTemplate = Path.Combine(Directory, "tiny-notemplate.gguf");
        TinyGguf.Write(TinyWithoutTemplate, withTemplate: false);

        TinyBosTemplate = Path.Combine(Directory, "tiny-bos-template.gguf");
        TinyGguf.Write(TinyBosTemplate, addBos: true, template: BosTemplate);
        TinyToolUse = Path.Combine(Directory, "tiny-tool-use.gguf");
        TinyGguf.Write(TinyToolUse, template: PlainTemplate, toolUseTemplate: ToolUseTemplate);
        TinyBrokenTemplate = Path.Combine(Directory, "tiny-broken-template.gguf");
        TinyGguf.Write(TinyBrokenTemplate, template: "{% for m in messages %}\n{{ m.content }\n{% endfor %}");

        NotGguf = Path.Combine(Directory, "not-a-model.gguf");
        File.WriteAllText(NotGguf, "this is plain text, not a model");
        Truncated = Path.Combine(Directory, "truncated.gguf");
        var bytes = File.ReadAllBytes(Tiny);
        File.WriteAllBytes(Truncated, bytes[..(bytes.Length / 3)]);
    }

    public string Directory { get; }
    public string Tiny { get; }
    public string TinyWithBos { get; }
    public string TinyWithoutTemplate { get; }
    /// <summary>add_bos_token = true and a template that prints bos_token first.</summary>
    public string TinyBosTemplate { get; }
    /// <summary>A plain template plus a tokenizer.chat_template.tool_use variant.</summary>
    public string TinyToolUse { get; }
    /// <summary>A tokenizer.chat_template with a syntax error on line 2.</summary>
    public string TinyBrokenTemplate { get; }

    public const string BosTemplate = "{{ bos_token }}{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}";
    public const string PlainTemplate = "{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}";
    public const string ToolUseTemplate =
        "{% for t in tools %}tool {{ t.function.name }}\n{% endfor %}{% for m in messages %}{{ m.role }}: {{ m.content }}{% if m.tool_calls %} calls {{ m.tool_calls[0].function.arguments | tojson }}{% endif %}\n{% endfor %}";
    public string NotGguf { get; }
    public string Truncated { get; }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A memory-mapped model may still be open on some platforms; the temp folder is cleaned up later.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ModelCollection : ICollectionFixture<ModelFiles>
{
    public const string Name = "LlamaSharp models";
}
