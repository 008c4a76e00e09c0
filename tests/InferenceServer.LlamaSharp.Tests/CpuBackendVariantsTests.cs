using System.Runtime.InteropServices;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Options;

namespace InferenceServer.LlamaSharp.Tests;

/// <summary>
/// Choosing ggml's CPU backend variant (Model:CpuVariant) and preparing the directory llama.cpp loads from. The files
/// are real (a temporary native root with fake libraries); the scores come from a stand-in for ggml_backend_score, so
/// every rule is tested on any machine. The real score function and the real libraries are tested by the Api's
/// CpuVariantTests and by <see cref="The_real_variants_score_this_cpu_and_the_portable_one_always_runs"/>.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CpuBackendVariantsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cpu-variants-").FullName;
    private readonly Dictionary<string, int?> _scores = new() { ["haswell"] = 64, ["icelake"] = 1472, ["zen4"] = 1984, ["sapphirerapids"] = 0 };
    private readonly List<string> _scored = [];

    public CpuBackendVariantsTests()
    {
        var packaged = Directory.CreateDirectory(Path.Combine(NativeRoot, "avx2")).FullName;
        foreach (var file in new[] { "libllama.so", "libggml.so", "libggml-base.so", "libggml-cpu.so", "libmtmd.so" })
        {
            File.WriteAllText(Path.Combine(packaged, file), file);
        }
    }

    private string NativeRoot => Path.Combine(_root, "native");
    private string CacheRoot => Path.Combine(_root, "cache");
    private string VariantsDirectory => Path.Combine(NativeRoot, CpuBackendVariants.VariantsFolder);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void ShipVariants(params string[] names)
    {
        Directory.CreateDirectory(VariantsDirectory);
        foreach (var name in names)
        {
            File.WriteAllText(Path.Combine(VariantsDirectory, $"libggml-cpu-{name}.so"), name);
        }
    }

    private CpuBackendVariants Variants(string? variantsDirectory = null) => new(NativeRoot, () => CacheRoot, (path, ggmlBase) =>
    {
        Assert.Equal(Path.Combine(NativeRoot, "avx2", "libggml-base.so"), ggmlBase);
        var name = Path.GetFileNameWithoutExtension(path)["libggml-cpu-".Length..];
        lock (_scored)
        {
            _scored.Add(name);
        }

        return _scores.TryGetValue(name, out var score) ? (score, score is null ? "undefined symbol: ggml_new_thing" : null) : (null, "unknown");
    }, variantsDirectory);

    [LinuxX64Fact]
    public void Auto_links_the_highest_scoring_variant_as_libggml_cpu_beside_the_packaged_libraries()
    {
        ShipVariants("haswell", "icelake", "zen4", "sapphirerapids");

        var choice = Variants().Prepare(CpuVariantNames.Auto, "avx2");

        Assert.Equal("zen4", choice.Chosen?.Name);
        Assert.Equal(4, choice.Candidates.Count);
        var directory = Assert.IsType<string>(choice.Directory);
        Assert.StartsWith(CacheRoot, directory, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(VariantsDirectory, "libggml-cpu-zen4.so"), new FileInfo(Path.Combine(directory, "libggml-cpu.so")).LinkTarget);
        foreach (var file in new[] { "libllama.so", "libggml.so", "libggml-base.so", "libmtmd.so" })
        {
            Assert.Equal(Path.Combine(NativeRoot, "avx2", file), new FileInfo(Path.Combine(directory, file)).LinkTarget);
        }

        // Loading through the links reads the chosen variant and the packaged files.
        Assert.Equal("zen4", File.ReadAllText(Path.Combine(directory, "libggml-cpu.so")));
        Assert.Equal("libllama.so", File.ReadAllText(Path.Combine(directory, "libllama.so")));
        Assert.Single(Directory.GetDirectories(CacheRoot));
    }

    [LinuxX64Fact]
    public void Variants_that_do_not_run_here_or_do_not_load_are_passed_over_and_ties_go_to_the_first()
    {
        ShipVariants("alpha", "beta", "gamma", "delta");
        _scores["alpha"] = 0;
        _scores["beta"] = null;
        _scores["delta"] = 300;
        _scores["gamma"] = 300;

        var choice = Variants().Prepare(CpuVariantNames.Auto, "avx2");

        Assert.Equal("delta", choice.Chosen?.Name);
        Assert.Contains(choice.Candidates, c => c is { Name: "beta", Score: null, Error: "undefined symbol: ggml_new_thing" });
    }

    [LinuxX64Fact]
    public void When_no_variant_runs_here_the_packaged_build_stays()
    {
        ShipVariants("sapphirerapids");

        var choice = Variants().Prepare(CpuVariantNames.Auto, "avx2");

        Assert.Null(choice.Directory);
        Assert.Equal("no variant runs on this CPU", choice.Reason);
        Assert.False(Directory.Exists(CacheRoot));
    }

    [LinuxX64Fact]
    public void Packaged_and_a_missing_variants_folder_keep_the_packaged_build_without_scoring()
    {
        var missing = Variants().Prepare(CpuVariantNames.Auto, "avx2");
        Assert.Null(missing.Directory);
        Assert.Contains("no CPU backend variants", missing.Reason, StringComparison.Ordinal);

        ShipVariants("zen4");
        var packaged = Variants().Prepare("packaged", "avx2");
        Assert.Null(packaged.Directory);
        Assert.Empty(_scored);
    }

    [LinuxX64Fact]
    public void A_named_variant_is_loaded_even_when_another_scores_higher()
    {
        ShipVariants("haswell", "zen4");

        var choice = Variants().Prepare("haswell", "avx2");

        Assert.Equal("haswell", choice.Chosen?.Name);
        Assert.Equal(["haswell"], _scored);
        Assert.Equal(Path.Combine(VariantsDirectory, "libggml-cpu-haswell.so"), new FileInfo(Path.Combine(choice.Directory!, "libggml-cpu.so")).LinkTarget);
    }

    [LinuxX64Fact]
    public void A_named_variant_that_is_not_shipped_does_not_run_here_or_does_not_load_stops_the_start_with_the_reason()
    {
        ShipVariants("haswell", "sapphirerapids", "broken");
        _scores["broken"] = null;

        var unknown = Assert.Throws<InferenceException>(() => Variants().Prepare("zen5", "avx2"));
        Assert.Contains("'zen5' is not shipped", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("broken, haswell, sapphirerapids", unknown.Message, StringComparison.Ordinal);

        var unsupported = Assert.Throws<InferenceException>(() => Variants().Prepare("sapphirerapids", "avx2"));
        Assert.Contains("does not run on this CPU", unsupported.Message, StringComparison.Ordinal);

        var broken = Assert.Throws<InferenceException>(() => Variants().Prepare("broken", "avx2"));
        Assert.Contains("undefined symbol: ggml_new_thing", broken.Message, StringComparison.Ordinal);

        Directory.Delete(VariantsDirectory, recursive: true);
        var none = Assert.Throws<InferenceException>(() => Variants().Prepare("haswell", "avx2"));
        Assert.Contains("no CPU backend variants are shipped", none.Message, StringComparison.Ordinal);
    }

    [LinuxX64Fact]
    public void A_configured_variants_directory_replaces_the_shipped_variants()
    {
        ShipVariants("haswell", "zen4");
        var compiled = Directory.CreateDirectory(Path.Combine(_root, "compiled")).FullName;
        foreach (var name in new[] { "haswell", "icelake" })
        {
            File.WriteAllText(Path.Combine(compiled, $"libggml-cpu-{name}.so"), $"compiled {name}");
        }

        var choice = Variants(compiled).Prepare(CpuVariantNames.Auto, "avx2");

        // Only the configured directory's variants are scored (zen4 is shipped, not compiled): icelake is its best.
        Assert.Equal("icelake", choice.Chosen?.Name);
        Assert.Equal(["haswell", "icelake"], _scored.Order(StringComparer.Ordinal));
        Assert.Equal(Path.Combine(compiled, "libggml-cpu-icelake.so"), new FileInfo(Path.Combine(choice.Directory!, "libggml-cpu.so")).LinkTarget);
        Assert.Equal(Path.Combine(NativeRoot, "avx2", "libggml-base.so"), new FileInfo(Path.Combine(choice.Directory!, "libggml-base.so")).LinkTarget);

        var empty = Directory.CreateDirectory(Path.Combine(_root, "empty")).FullName;
        Assert.Contains("Model:CpuVariantsDirectory", Variants(empty).Prepare(CpuVariantNames.Auto, "avx2").Reason, StringComparison.Ordinal);
        var named = Assert.Throws<InferenceException>(() => Variants(empty).Prepare("haswell", "avx2"));
        Assert.Contains($"Model:CpuVariantsDirectory ({empty}) holds no libggml-cpu-*.so", named.Message, StringComparison.Ordinal);
    }

    [LinuxX64Fact]
    public async Task Concurrent_starts_agree_on_one_complete_directory_and_later_starts_reuse_it()
    {
        ShipVariants("haswell", "zen4");

        var choices = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Variants().Prepare(CpuVariantNames.Auto, "avx2"))));

        var directory = choices[0].Directory!;
        Assert.All(choices, c => Assert.Equal(directory, c.Directory));
        Assert.Equal([directory], Directory.GetDirectories(CacheRoot));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(CacheRoot));
        Assert.Equal(5, Directory.GetFiles(directory).Length);

        // A directory someone broke is replaced, not trusted.
        File.Delete(Path.Combine(directory, "libggml-cpu.so"));
        File.CreateSymbolicLink(Path.Combine(directory, "libggml-cpu.so"), Path.Combine(VariantsDirectory, "libggml-cpu-haswell.so"));
        Assert.Equal(directory, Variants().Prepare(CpuVariantNames.Auto, "avx2").Directory);
        Assert.Equal("zen4", File.ReadAllText(Path.Combine(directory, "libggml-cpu.so")));
    }

    [LinuxX64Fact]
    public void An_unwritable_cache_keeps_the_packaged_build_under_auto()
    {
        ShipVariants("zen4");
        File.WriteAllText(CacheRoot, "a file where the cache directory should be");

        var choice = Variants().Prepare(CpuVariantNames.Auto, "avx2");

        Assert.Null(choice.Directory);
        Assert.Contains("is not usable", choice.Reason, StringComparison.Ordinal);
    }

    [LinuxX64Fact]
    public void A_cache_other_users_may_write_to_is_not_trusted()
    {
        ShipVariants("zen4");
        Directory.CreateDirectory(CacheRoot);
        File.SetUnixFileMode(CacheRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);

        var choice = Variants().Prepare(CpuVariantNames.Auto, "avx2");

        Assert.Null(choice.Directory);
        Assert.Contains("writable by other users", choice.Reason, StringComparison.Ordinal);

        File.SetUnixFileMode(CacheRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Assert.NotNull(Variants().Prepare(CpuVariantNames.Auto, "avx2").Directory);
    }

    /// <summary>The libraries the build fetched, scored by their own ggml_backend_score through dlopen (RTLD_NOW, so
    /// every symbol they import from LLamaSharp's libggml-base resolves: the ABI check).</summary>
    [LinuxX64Fact]
    public void The_real_variants_score_this_cpu_and_the_portable_one_always_runs()
    {
        var native = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");
        var variants = Path.Combine(native, CpuBackendVariants.VariantsFolder);
        Assert.True(Directory.Exists(variants), $"{variants} is missing: the build fetches the variants unless -p:GgmlCpuVariants=false.");
        var ggmlBase = Path.Combine(native, CpuBackendVariants.PackagedLevel(), "libggml-base.so");

        var x64 = CpuVariantScore.Measure(Path.Combine(variants, "libggml-cpu-x64.so"), ggmlBase, out var error);
        Assert.True(x64 > 0, $"x64 scored {x64} ({error})");
        var haswell = CpuVariantScore.Measure(Path.Combine(variants, "libggml-cpu-haswell.so"), ggmlBase, out error);
        Assert.Null(error);
        // haswell needs AVX2 (and FMA, F16C, BMI2): it never runs without AVX2.
        Assert.True(haswell == 0 || System.Runtime.Intrinsics.X86.Avx2.IsSupported, $"haswell scored {haswell}");

        var notElf = Path.Combine(_root, "libggml-cpu-text.so");
        File.WriteAllText(notElf, "not a library");
        Assert.Null(CpuVariantScore.Measure(notElf, ggmlBase, out error));
        Assert.NotNull(error);
    }

    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
    private sealed class LinuxX64FactAttribute : FactAttribute
    {
        public LinuxX64FactAttribute()
        {
            if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            {
                Skip = "Linux x64 only: the variants are linux-x64 builds.";
            }
        }
    }
}
