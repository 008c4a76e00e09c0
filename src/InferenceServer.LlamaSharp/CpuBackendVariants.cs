using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using System.Text;
using InferenceServer.Core.Errors;
using InferenceServer.Core.Options;

namespace InferenceServer.LlamaSharp;

/// <summary>One build of ggml's CPU backend and its score on this CPU (0: this CPU cannot run it; null: it did not load).</summary>
public sealed record CpuVariantCandidate(string Name, string Path, int? Score, string? Error);

/// <summary>What <see cref="CpuBackendVariants.Prepare"/> chose: the directory to load llama.cpp from (null: LLamaSharp's
/// packaged build), and every candidate with its score, for the log.</summary>
public sealed record CpuVariantChoice(string? Directory, CpuVariantCandidate? Chosen, IReadOnlyList<CpuVariantCandidate> Candidates, string Reason);

/// <summary>
/// Picks the build of ggml's CPU backend this process runs (Model:CpuVariant). LLamaSharp ships one build per AVX level
/// (noavx / avx / avx2 / avx512); ggml's per-micro-architecture builds (haswell, alderlake, skylakex, icelake, zen4,
/// sapphirerapids, ...) use what those CPUs add, notably the VNNI dot products of the quantized matrix kernels. The
/// build copies them to <c>runtimes/linux-x64/native/ggml-cpu-variants</c> (GgmlCpuVariants.targets). Here each one is
/// scored (<see cref="CpuVariantScore"/>), and the best is linked, as <c>libggml-cpu.so</c>, into a directory beside links
/// to LLamaSharp's libllama / libggml / libggml-base / libmtmd for this CPU's AVX level: their RUNPATH is <c>$ORIGIN</c>,
/// so libggml then loads that backend. The directory lives under the temporary directory (the application's may be
/// read-only), named by a hash of its sources, and is made once and renamed into place (concurrent starts agree).
/// </summary>
public sealed class CpuBackendVariants
{
    public const string VariantsFolder = "ggml-cpu-variants";
    private static readonly string[] PackagedFiles = ["libllama.so", "libggml.so", "libggml-base.so", "libmtmd.so"];

    private readonly string _nativeRoot;
    private readonly string? _variantsDirectory;
    private readonly Lazy<string> _cacheRoot;
    private readonly Func<string, string, (int? Score, string? Error)> _score;

    /// <param name="nativeRoot">The <c>runtimes/linux-x64/native</c> directory beside the application.</param>
    /// <param name="cacheRoot">Where prepared directories are kept (asked for only when a variant is chosen).</param>
    /// <param name="score">Scores a variant (path, packaged libggml-base path).</param>
    /// <param name="variantsDirectory">Where the variants are (Model:CpuVariantsDirectory); null: the shipped ones,
    /// <c>ggml-cpu-variants</c> under <paramref name="nativeRoot"/>.</param>
    public CpuBackendVariants(string nativeRoot, Func<string> cacheRoot, Func<string, string, (int? Score, string? Error)> score,
        string? variantsDirectory = null)
    {
        _nativeRoot = nativeRoot;
        _variantsDirectory = string.IsNullOrWhiteSpace(variantsDirectory) ? null : Path.GetFullPath(variantsDirectory);
        _cacheRoot = new Lazy<string>(cacheRoot);
        _score = score;
    }

    /// <summary>The process's own: the application's native directory, the user's cache directory, ggml's own scores,
    /// the variants in <paramref name="variantsDirectory"/> (Model:CpuVariantsDirectory) or else the shipped ones.</summary>
    public static CpuBackendVariants ForThisProcess(string? variantsDirectory) => new(
        Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native"),
        CacheRootForThisUser,
        (variant, ggmlBase) => (CpuVariantScore.Measure(variant, ggmlBase, out var error), error),
        variantsDirectory);

    /// <summary><c>$XDG_CACHE_HOME/inferenceserver/native</c> (else <c>~/.cache/...</c>) when it can be made, else a
    /// per-user directory under the temporary directory (a read-only image with an emptyDir /tmp). The links in it
    /// decide which code the server runs, so <see cref="Prepare"/> uses it only when no other user may write to it.</summary>
    private static string CacheRootForThisUser()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var home = Environment.GetEnvironmentVariable("HOME");
        var cache = !string.IsNullOrWhiteSpace(xdg) ? xdg : !string.IsNullOrWhiteSpace(home) ? Path.Combine(home, ".cache") : null;
        if (cache is not null)
        {
            var root = Path.Combine(cache, "inferenceserver", "native");
            try
            {
                CreatePrivateDirectory(root);
                return root;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Read-only home (a container with a read-only root file system): the temporary directory below.
            }
        }

        return Path.Combine(Path.GetTempPath(), $"inferenceserver-native-{Environment.UserName}");
    }

    /// <summary>Creates <paramref name="directory"/> readable and writable by this user only, and refuses an existing one
    /// that others may write to (they could point the links at their own code).</summary>
    private static void CreatePrivateDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
            return;
        }

        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if ((File.GetUnixFileMode(directory) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            throw new UnauthorizedAccessException($"{directory} is writable by other users");
        }
    }

    /// <summary>LLamaSharp's packaged build for this CPU's AVX level, as LLamaSharp itself picks it.</summary>
    public static string PackagedLevel() =>
        Avx512F.IsSupported ? "avx512" : Avx2.IsSupported ? "avx2" : Avx.IsSupported ? "avx" : "noavx";

    /// <summary>Chooses per <paramref name="setting"/> (auto, packaged or a variant's name) and prepares the directory.</summary>
    /// <exception cref="InferenceException">A named variant that is not shipped, does not load or does not run on this CPU.</exception>
    public CpuVariantChoice Prepare(string setting, string packagedLevel)
    {
        if (string.Equals(setting, CpuVariantNames.Packaged, StringComparison.OrdinalIgnoreCase))
        {
            return new CpuVariantChoice(null, null, [], "Model:CpuVariant is 'packaged'");
        }

        var auto = string.Equals(setting, CpuVariantNames.Auto, StringComparison.OrdinalIgnoreCase);
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return auto
                ? new CpuVariantChoice(null, null, [], "the variants are built for Linux x64 only")
                : throw Refuse($"Model:CpuVariant '{setting}' needs Linux x64; set it to '{CpuVariantNames.Auto}' or '{CpuVariantNames.Packaged}'.");
        }

        var packaged = Path.Combine(_nativeRoot, packagedLevel);
        var variantsDirectory = _variantsDirectory ?? Path.Combine(_nativeRoot, VariantsFolder);
        var files = Directory.Exists(variantsDirectory)
            ? Directory.GetFiles(variantsDirectory, CpuVariantNames.FilePattern).Order(StringComparer.Ordinal).ToArray()
            : [];
        if (files.Length == 0 || !File.Exists(NativeLibraryFiles.Llama(packaged)))
        {
            var where = files.Length > 0
                ? $"LLamaSharp's packaged libraries are missing ({packaged})"
                : _variantsDirectory is null
                    ? $"no CPU backend variants are shipped beside the server ({variantsDirectory}); the build fetches them unless -p:GgmlCpuVariants=false"
                    : $"Model:CpuVariantsDirectory ({variantsDirectory}) holds no {CpuVariantNames.FilePattern}";

            return auto
                ? new CpuVariantChoice(null, null, [], where)
                : throw Refuse($"Model:CpuVariant '{setting}': {where}.");
        }

        var ggmlBase = Path.Combine(packaged, "libggml-base.so");
        var candidates = files
            .Where(f => auto || string.Equals(NameOf(f), setting, StringComparison.OrdinalIgnoreCase))
            .Select(f =>
            {
                var (score, error) = _score(f, ggmlBase);
                return new CpuVariantCandidate(NameOf(f), f, score, error);
            })
            .ToList();

        // The first of the highest scores, as ggml's loader picks.
        CpuVariantCandidate? best = null;
        foreach (var candidate in candidates.Where(c => c.Score > 0))
        {
            if (best is null || candidate.Score > best.Score)
            {
                best = candidate;
            }
        }

        if (best is null)
        {
            if (auto)
            {
                return new CpuVariantChoice(null, null, candidates, "no variant runs on this CPU");
            }

            var found = candidates.FirstOrDefault();
            throw Refuse(found is null
                ? $"Model:CpuVariant '{setting}' is not shipped; the variants are {string.Join(", ", files.Select(NameOf))}."
                : found.Score is null
                    ? $"Model:CpuVariant '{setting}' does not load: {found.Error}."
                    : $"Model:CpuVariant '{setting}' does not run on this CPU (its ggml_backend_score is 0).");
        }

        string directory;
        try
        {
            directory = Materialize(best, packaged, packagedLevel);
        }
        catch (Exception ex) when (auto && ex is IOException or UnauthorizedAccessException)
        {
            return new CpuVariantChoice(null, null, candidates, $"the cache directory is not usable: {ex.Message}");
        }

        return new CpuVariantChoice(directory, best, candidates, auto ? "the highest score on this CPU" : "named by Model:CpuVariant");
    }

    private static string NameOf(string file)
    {
        var name = Path.GetFileNameWithoutExtension(file);
        return name.StartsWith(CpuVariantNames.FilePrefix, StringComparison.Ordinal) ? name[CpuVariantNames.FilePrefix.Length..] : name;
    }

    /// <summary>The prepared directory for <paramref name="variant"/> beside the packaged files of <paramref name="packaged"/>:
    /// symbolic links, so a library already loaded from the packaged directory (libggml-base, loaded to score the
    /// variants) is the same file to the dynamic linker and is not loaded twice. <c>$ORIGIN</c> is the link's directory.</summary>
    private string Materialize(CpuVariantCandidate variant, string packaged, string packagedLevel)
    {
        var links = PackagedFiles
            .Select(f => (Target: Path.GetFullPath(Path.Combine(packaged, f)), Link: f))
            .Where(s => File.Exists(s.Target))
            .Append((Target: Path.GetFullPath(variant.Path), Link: "libggml-cpu.so"))
            .ToList();
        var identity = string.Join('\n', links.Select(l => $"{l.Link}={l.Target}"));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..16];
        var cacheRoot = _cacheRoot.Value;
        var directory = Path.Combine(cacheRoot, $"{variant.Name}-{packagedLevel}-{hash}");
        if (IsComplete(directory, links))
        {
            return directory;
        }

        CreatePrivateDirectory(cacheRoot);
        var staging = $"{directory}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        Directory.CreateDirectory(staging);
        try
        {
            foreach (var (target, link) in links)
            {
                File.CreateSymbolicLink(Path.Combine(staging, link), target);
            }

            if (Directory.Exists(directory))
            {
                // Not what this process wants (edited by hand, or left by a crash): replace it.
                Directory.Delete(directory, recursive: true);
            }

            Directory.Move(staging, directory);
        }
        catch (IOException) when (IsComplete(directory, links))
        {
            // Another process prepared the same directory first.
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }

        return directory;
    }

    private static bool IsComplete(string directory, IReadOnlyList<(string Target, string Link)> links) =>
        links.All(l => new FileInfo(Path.Combine(directory, l.Link)).LinkTarget == l.Target);

    private static InferenceException Refuse(string message) => new(InferenceErrorKind.Internal, message);
}
