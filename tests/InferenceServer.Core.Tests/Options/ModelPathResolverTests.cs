using InferenceServer.Core.Options;

namespace InferenceServer.Core.Tests.Options;

public sealed class ModelPathResolverTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("resolver").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Dir(string name) => Directory.CreateDirectory(Path.Combine(_root, name)).FullName;

    [Fact]
    public void Absolute_paths_are_used_as_is()
    {
        string file = Path.Combine(_root, "abs.gguf");
        File.WriteAllText(file, "x");
        Assert.Equal(file, ModelPathResolver.Resolve(file, Dir("base"), Dir("cwd")));
    }

    [Fact]
    public void Base_directory_wins_over_the_current_directory()
    {
        string baseDir = Dir("base");
        string cwd = Dir("cwd");
        Directory.CreateDirectory(Path.Combine(baseDir, "models"));
        Directory.CreateDirectory(Path.Combine(cwd, "models"));
        File.WriteAllText(Path.Combine(cwd, "models", "m.gguf"), "x");
        Assert.Equal(Path.Combine(cwd, "models", "m.gguf"), ModelPathResolver.Resolve("models/m.gguf", baseDir, cwd));

        File.WriteAllText(Path.Combine(baseDir, "models", "m.gguf"), "x");
        Assert.Equal(Path.Combine(baseDir, "models", "m.gguf"), ModelPathResolver.Resolve("models/m.gguf", baseDir, cwd));
    }

    [Fact]
    public void Not_found_lists_every_candidate()
    {
        string baseDir = Dir("base");
        string cwd = Dir("cwd");
        var ex = Assert.Throws<FileNotFoundException>(() => ModelPathResolver.Resolve("m.gguf", baseDir, cwd));
        Assert.Contains(Path.Combine(baseDir, "m.gguf"), ex.Message);
        Assert.Contains(Path.Combine(cwd, "m.gguf"), ex.Message);
        Assert.Contains("Model__Path", ex.Message);
        Assert.Null(ModelPathResolver.TryResolve("", baseDir, cwd));
    }
}
