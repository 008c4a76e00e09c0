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
