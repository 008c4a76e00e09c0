using System.Net;

namespace InferenceServer.Api.Tests.Observability.RealServer;

/// <summary>
/// Model:NativeLibraryDirectory (issue 11): the real server loads llama.cpp from the named directory instead of
/// LLamaSharp's packaged variants, and serves from it. The directory here is a copy of the packaged portable (noavx)
/// variant, so the test runs on any x86-64 Linux machine; docker/build-cpu-backend.sh makes such a directory with a
/// CPU backend compiled for the machine.
/// </summary>
public sealed class NativeLibraryDirectoryTests
{
    [LinuxFact]
    public async Task The_server_loads_llama_cpp_from_the_configured_directory_and_serves_from_it()
    {
        var packaged = Path.Combine(Path.GetDirectoryName(ApiBuildOutput.FindDll())!, "runtimes", "linux-x64", "native", "noavx");
        var directory = Directory.CreateTempSubdirectory("native-llama-").FullName;
        try
        {
            foreach (var library in Directory.GetFiles(packaged, "*.so"))
            {
                File.Copy(library, Path.Combine(directory, Path.GetFileName(library)));
            }

            await using var server = await ServerProcess.StartAsync(new Dictionary<string, string>
            {
                ["Model__NativeLibraryDirectory"] = directory,
            });
            using var response = await ChatRequests.PostAsync(server.Client, maxTokens: 4, stream: false);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            // What the process mapped: the copy's llama and ggml CPU backend, nothing from the packaged runtimes.
            var maps = await File.ReadAllTextAsync($"/proc/{server.Pid}/maps");
            Assert.Contains(Path.Combine(directory, "libllama.so"), maps, StringComparison.Ordinal);
            Assert.Contains(Path.Combine(directory, "libggml-cpu.so"), maps, StringComparison.Ordinal);
            Assert.DoesNotContain("runtimes/linux-x64/native", maps, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

/// <summary>A fact that is skipped on operating systems other than Linux (it reads /proc and loads .so files).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Linux only: it reads /proc/<pid>/maps and copies the linux-x64 libraries.";
        }
    }
}
