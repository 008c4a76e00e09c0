using System.Diagnostics;
using System.Net;

namespace InferenceServer.Api.Tests.Observability.RealServer;

/// <summary>What the tests' child processes (the server, Prometheus) share: readiness polling and teardown.</summary>
internal static class ChildProcess
{
    /// <summary>Polls an HTTP readiness path until it answers 200, failing fast if the process exits.</summary>
    public static async Task WaitReadyAsync(Process process, HttpClient client, string path, TimeSpan timeout, string name, Func<string> outputTail)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with code {process.ExitCode} before it was ready:\n{outputTail()}");
            }

            try
            {
                using var response = await client.GetAsync(path);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{name} was not ready within {timeout.TotalSeconds} s:\n{outputTail()}");
    }

    /// <summary>Kills the process tree if it still runs, waits up to 10 s for it, and disposes it.</summary>
    public static async Task KillAndDisposeAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await process.WaitForExitAsync(cts.Token);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
        }

        process.Dispose();
    }
}
