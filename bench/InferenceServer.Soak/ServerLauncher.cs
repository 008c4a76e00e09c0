using System.Diagnostics;

namespace InferenceServer.Soak;

/// <summary>Starts the built server (src/InferenceServer.Api/bin/{Configuration}) on loopback and stops it at the end.</summary>
internal sealed class ServerLauncher : IAsyncDisposable
{
    private readonly Process _process;

    private ServerLauncher(Process process) => _process = process;

    public int Pid => _process.Id;

    public static async Task<ServerLauncher> StartAsync(SoakOptions options, Uri url)
    {
        var dll = Locate(options.Configuration);
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(url.ToString().TrimEnd('/'));
        info.Environment["Serilog__MinimumLevel__Default"] = "Warning";
        if (options.ModelPath is { } model)
        {
            info.Environment["Model__Path"] = Path.GetFullPath(model);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("the server did not start");
        var log = Path.Combine(Path.GetTempPath(), "inferenceserver-soak-server.log");
        _ = CopyAsync(process.StandardOutput, log);
        _ = CopyAsync(process.StandardError, log + ".err");
        var launcher = new ServerLauncher(process);
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(5) };
        for (var deadline = DateTime.UtcNow.AddMinutes(2); ; await Task.Delay(200))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the server exited with {process.ExitCode}; see {log}");
            }

            try
            {
                if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode)
                {
                    return launcher;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                await launcher.DisposeAsync();
                throw new TimeoutException("the server was not ready within 2 minutes");
            }
        }
    }

    /// <summary>Resident set size of the server process in MiB (Linux /proc), or null elsewhere.</summary>
    public double? RssMiB()
    {
        var status = $"/proc/{_process.Id}/status";
        if (!File.Exists(status))
        {
            return null;
        }

        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? null : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static string Locate(string configuration)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var dll = Path.Combine(dir.FullName, "src", "InferenceServer.Api", "bin", configuration, "net10.0", "InferenceServer.Api.dll");
            if (File.Exists(dll))
            {
                return dll;
            }
        }

        throw new FileNotFoundException($"InferenceServer.Api.dll ({configuration}) not found; build the solution with -c {configuration}.");
    }

    private static async Task CopyAsync(StreamReader reader, string path)
    {
        await using var file = new StreamWriter(path, append: false);
        while (await reader.ReadLineAsync() is { } line)
        {
            await file.WriteLineAsync(line);
        }
    }
}
