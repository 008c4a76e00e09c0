using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace InferenceServer.Api.Tests.Observability.RealServer;

/// <summary>A real Prometheus server (the <c>prometheus</c> binary) scraping one target every second, with its
/// own temporary config and TSDB folder; disposing kills it and deletes the folder.</summary>
public sealed class PrometheusProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _workDir;
    private readonly ConcurrentQueue<string> _output = new();

    private PrometheusProcess(Process process, string workDir, Uri baseAddress)
    {
        _process = process;
        _workDir = workDir;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Client { get; }

    public string OutputTail => string.Join('\n', _output.TakeLast(30));

    public static async Task<PrometheusProcess> StartAsync(Uri target)
    {
        var workDir = Directory.CreateTempSubdirectory("inferenceserver-prometheus-").FullName;
        var config = Path.Combine(workDir, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: inferenceserver
                static_configs:
                  - targets: ["{target.Authority}"]
            """);
        var port = ServerProcess.FreePort();
        var info = new ProcessStartInfo(ExecutableLocator.Find("prometheus") ?? "prometheus")
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--config.file=" + config);
        info.ArgumentList.Add("--storage.tsdb.path=" + Path.Combine(workDir, "data"));
        info.ArgumentList.Add($"--web.listen-address=127.0.0.1:{port}");
        var process = new Process { StartInfo = info };
        var prometheus = new PrometheusProcess(process, workDir, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) prometheus._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) prometheus._output.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await prometheus.WaitReadyAsync();
        }
        catch
        {
            await prometheus.DisposeAsync();
            throw;
        }

        return prometheus;
    }

    /// <summary>Runs an instant query; returns the "data.result" vector as (labels, value) pairs.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> QueryAsync(string promql)
    {
        using var response = await Client.GetAsync("/api/v1/query?query=" + Uri.EscapeDataString(promql));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"query {promql}: {(int)response.StatusCode} {body}");
        using var doc = JsonDocument.Parse(body);
        var data = doc.RootElement.GetProperty("data");
        Assert.Equal("vector", data.GetProperty("resultType").GetString());
        var results = new List<(IReadOnlyDictionary<string, string>, double)>();
        foreach (var item in data.GetProperty("result").EnumerateArray())
        {
            var labels = item.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
            var value = item.GetProperty("value")[1].GetString()!;
            results.Add((labels, value switch
            {
                "NaN" => double.NaN,
                "+Inf" => double.PositiveInfinity,
                _ => double.Parse(value, System.Globalization.CultureInfo.InvariantCulture),
            }));
        }

        return results;
    }

    /// <summary>Polls <paramref name="promql"/> until <paramref name="accept"/> holds for its result, or fails
    /// after <paramref name="timeout"/> with the last result.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> PollAsync(
        string promql, Func<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>, bool> accept, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var result = await QueryAsync(promql);
            if (accept(result))
            {
                return result;
            }

            if (DateTime.UtcNow > deadline)
            {
                var shown = string.Join("; ", result.Select(r => $"{string.Join(",", r.Labels.Select(l => l.Key + "=" + l.Value))} => {r.Value}"));
                Assert.Fail($"Prometheus query {promql} did not reach the expected value within {timeout.TotalSeconds} s; last: [{shown}]\n{OutputTail}");
            }

            await Task.Delay(500);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await ChildProcess.KillAndDisposeAsync(_process);
        try
        {
            Directory.Delete(_workDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private Task WaitReadyAsync() =>
        ChildProcess.WaitReadyAsync(_process, Client, "/-/ready", TimeSpan.FromSeconds(30), "prometheus", () => OutputTail);
}
