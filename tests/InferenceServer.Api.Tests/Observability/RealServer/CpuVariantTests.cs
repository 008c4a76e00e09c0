using System.Net;
using System.Runtime.InteropServices;

namespace InferenceServer.Api.Tests.Observability.RealServer;

/// <summary>
/// Model:CpuVariant (issue 11): the real server loads one of ggml's per-micro-architecture CPU backends shipped beside it
/// (runtimes/linux-x64/native/ggml-cpu-variants, fetched by the build) next to LLamaSharp's own libllama, and serves
/// from it; 'packaged' keeps LLamaSharp's build. What the process mapped (/proc/pid/maps) is the proof.
/// </summary>
public sealed class CpuVariantTests
{
    private static string NativeRoot => Path.Combine(Path.GetDirectoryName(ApiBuildOutput.FindDll())!, "runtimes", "linux-x64", "native");

    [LinuxX64WithVariantsFact]
    public async Task By_default_the_server_runs_the_best_variant_for_this_cpu_beside_the_packaged_llama()
    {
        await using var server = await ServerProcess.StartAsync();
        await AssertServesAsync(server);

        var maps = await File.ReadAllTextAsync($"/proc/{server.Pid}/maps");
        Assert.Contains("ggml-cpu-variants/libggml-cpu-", maps, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"native/(noavx|avx|avx2|avx512)/libggml-cpu\.so", maps);
        // One libllama and one libggml-base: LLamaSharp's packaged ones, reached through the prepared links.
        Assert.Contains("native/avx", maps, StringComparison.Ordinal);
        Assert.Single(Libraries(maps, "libggml-base.so"));
        Assert.Single(Libraries(maps, "libllama.so"));
    }

    [LinuxX64WithVariantsFact]
    public async Task A_named_variant_runs_even_the_most_portable_one_and_packaged_turns_the_variants_off()
    {
        // x64: the baseline build every x86-64 CPU runs; it proves a variant other than the best one loads and serves.
        await using (var named = await ServerProcess.StartAsync(new Dictionary<string, string> { ["Model__CpuVariant"] = "x64" }))
        {
            await AssertServesAsync(named);
            var maps = await File.ReadAllTextAsync($"/proc/{named.Pid}/maps");
            Assert.Contains("ggml-cpu-variants/libggml-cpu-x64.so", maps, StringComparison.Ordinal);
        }

        await using var packaged = await ServerProcess.StartAsync(new Dictionary<string, string> { ["Model__CpuVariant"] = "packaged" });
        await AssertServesAsync(packaged);
        var packagedMaps = await File.ReadAllTextAsync($"/proc/{packaged.Pid}/maps");
        Assert.DoesNotContain("ggml-cpu-variants", packagedMaps, StringComparison.Ordinal);
        Assert.Matches(@"native/(noavx|avx|avx2|avx512)/libggml-cpu\.so", packagedMaps);
    }

    [LinuxX64WithVariantsFact]
    public async Task A_configured_variants_directory_is_chosen_from_instead_of_the_shipped_one()
    {
        // Model:CpuVariantsDirectory (variants compiled by docker/build-cpu-backend.sh --march variants): here two real
        // shipped variants copied elsewhere, so only the directory differs. haswell runs on any AVX2 CPU, x64 on all.
        var directory = Directory.CreateTempSubdirectory("compiled-variants-").FullName;
        try
        {
            foreach (var name in new[] { "x64", "haswell" })
            {
                File.Copy(Path.Combine(NativeRoot, "ggml-cpu-variants", $"libggml-cpu-{name}.so"), Path.Combine(directory, $"libggml-cpu-{name}.so"));
            }

            await using var server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["Model__CpuVariantsDirectory"] = directory });
            await AssertServesAsync(server);
            var maps = await File.ReadAllTextAsync($"/proc/{server.Pid}/maps");
            Assert.Contains($"{directory}/libggml-cpu-{(System.Runtime.Intrinsics.X86.Avx2.IsSupported ? "haswell" : "x64")}.so", maps, StringComparison.Ordinal);
            Assert.DoesNotContain("ggml-cpu-variants/libggml-cpu-", maps, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task AssertServesAsync(ServerProcess server)
    {
        using var response = await ChatRequests.PostAsync(server.Client, maxTokens: 4, stream: false);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static string[] Libraries(string maps, string file) => maps
        .Split('\n')
        .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
        .Where(path => path.EndsWith("/" + file, StringComparison.Ordinal))
        .Distinct()
        .ToArray();

    /// <summary>Linux x64 with the variants in the build output (the build fetches them unless
    /// <c>-p:GgmlCpuVariants=false</c> or offline: then there is nothing to load and the tests are skipped).</summary>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
    private sealed class LinuxX64WithVariantsFactAttribute : FactAttribute
    {
        public LinuxX64WithVariantsFactAttribute()
        {
            if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != System.Runtime.InteropServices.Architecture.X64)
            {
                Skip = "Linux x64 only: the variants are linux-x64 builds.";
            }
            else if (!Directory.Exists(Path.Combine(NativeRoot, "ggml-cpu-variants")))
            {
                Skip = "The build output has no ggml-cpu-variants (built with -p:GgmlCpuVariants=false or without network).";
            }
        }
    }
}
