using System.Diagnostics;

namespace InferenceServer.Bench;

/// <summary>Runs the real server (the built InferenceServer.Api.dll) as a child process on loopback.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>Starts this project's server (the built InferenceServer.Api.dll) with the given configuration.</summary>
    public static Task<ServerProcess> StartAsync(BenchSettings settings, IReadOnlyDictionary<string, string> environment, TextWriter log) =>
        StartApiAsync(settings.Configuration, settings.Port, environment, log);

    public static Task<ServerProcess> StartApiAsync(string configuration, int port, IReadOnlyDictionary<string, string> environment, TextWriter log)
    {
        var dll = FindServerDll(configuration);
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "--urls", baseAddress.ToString().TrimEnd('/') },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        return StartAsync(info, baseAddress, "inferenceserver-bench-server", log);
    }

    /// <summary>Starts any server process and waits until <c>GET /health</c> answers 200 (llama-server and this project both serve it).</summary>
    public static async Task<ServerProcess> StartAsync(ProcessStartInfo info, Uri baseAddress, string logName, TextWriter log)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {info.FileName}");
        var logPath = Path.Combine(Path.GetTempPath(), logName + ".log");
        _ = PumpAsync(process.StandardOutput, logPath);
        _ = PumpAsync(process.StandardError, logPath + ".err");
        var server = new ServerProcess(process, baseAddress);
        await server.WaitUntilReadyAsync(TimeSpan.FromMinutes(5));
        log.WriteLine($"server ready at {baseAddress} (log: {logPath})");
        return server;
    }

    private static string FindServerDll(string configuration)
    {
        var root = AppContext.BaseDirectory;
        for (var dir = new DirectoryInfo(root); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "InferenceServer.Api", "bin", configuration, "net10.0", "InferenceServer.Api.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException($"InferenceServer.Api.dll ({configuration}) not found above {root}; build the solution first.");
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"server exited with code {_process.ExitCode}");
            }
            try
            {
                using var response = await http.GetAsync("health");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("server did not become ready");
    }

    private static async Task PumpAsync(StreamReader reader, string path)
    {
        await using var file = new StreamWriter(path, append: false);
        while (await reader.ReadLineAsync() is { } line)
        {
            await file.WriteLineAsync(line);
        }
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
}
