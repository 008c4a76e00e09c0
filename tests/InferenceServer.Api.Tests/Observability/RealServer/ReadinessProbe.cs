using System.Diagnostics;
using System.Net;

namespace InferenceServer.Api.Tests.Observability.RealServer;

/// <summary>Polls a child process's HTTP readiness path until it answers 200, failing fast if the process exits.</summary>
internal static class ReadinessProbe
{
    public static async Task WaitAsync(Process process, HttpClient client, string path, TimeSpan timeout, string name, Func<string> outputTail)
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
}
