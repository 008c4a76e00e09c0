using System.Globalization;
using InferenceServer.Soak;

// Soak: N clients x M minutes of mixed streaming, non-streaming, aborted and invalid requests against the real
// server, with a per-minute table (requests, errors, latency percentiles, server memory) and a huge-prompt probe
// before and after. Usage: dotnet run -c Release --project bench/InferenceServer.Soak -- --clients 8 --minutes 10
var options = SoakOptions.Parse(args);
var url = options.Url ?? new Uri($"http://127.0.0.1:{options.Port}/");
await using var server = options.Url is null ? await ServerLauncher.StartAsync(options, url) : null;
using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromMinutes(2) };
var model = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/v1/models")).RootElement.GetProperty("data")[0].GetProperty("id").GetString()!;
Console.WriteLine($"soak: {options.Clients} clients x {options.Minutes} min against {url} (model {model}{(server is null ? "" : $", server pid {server.Pid}")})");

// Four 20 MB prompts (over the body limit: 413 before the body is read) and four 3 MB ones (under it: refused by the
// context bound without tokenizing), with the server's memory before, right after, and after 10 s.
async Task ProbeAsync(string when)
{
    var before = server?.RssMiB();
    var huge = new List<double>();
    var under = new List<double>();
    var statuses = new HashSet<int>();
    for (var i = 0; i < 4; i++)
    {
        var h = await Workload.HugePromptAsync(http, model, 20_000_000);
        var u = await Workload.HugePromptAsync(http, model, 3_000_000);
        huge.Add(h.Ms);
        under.Add(u.Ms);
        statuses.Add(h.Status);
        statuses.Add(u.Status);
    }

    var right = server?.RssMiB();
    await Task.Delay(10_000);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"probe {when}: 4 x 20 MB prompt -> {huge.Max():F1} ms at most; 4 x 3 MB prompt -> {under.Max():F1} ms at most; statuses {string.Join(",", statuses.Order())}; server RSS {before:F0} -> {right:F0} -> {server?.RssMiB():F0} MiB (before, after, +10 s)"));
}

await ProbeAsync("before");
var minutes = new List<MinuteStats>();
var start = DateTime.UtcNow;
var current = new MinuteStats(1);
minutes.Add(current);
using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(options.Minutes));
var clients = Enumerable.Range(0, options.Clients).Select(i => Task.Run(async () =>
{
    var workload = new Workload(http, model, new Random(options.Seed * 1000 + i));
    while (!stop.IsCancellationRequested)
    {
        var outcome = await workload.RunAsync(workload.Pick(), stop.Token);
        if (!stop.IsCancellationRequested)
        {
            Volatile.Read(ref current).Add(outcome);
        }
    }
})).ToList();

Console.WriteLine(MinuteStats.Header);
while (!stop.IsCancellationRequested)
{
    var next = start.AddMinutes(current.Minute);
    var wait = next - DateTime.UtcNow;
    if (wait > TimeSpan.Zero)
    {
        try
        {
            await Task.Delay(wait, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    var finished = current;
    var fresh = new MinuteStats(finished.Minute + 1);
    Volatile.Write(ref current, fresh);
    finished.RssMiB = server?.RssMiB();
    Console.WriteLine(finished.Row());
    if (!stop.IsCancellationRequested)
    {
        minutes.Add(fresh);
    }
}

try
{
    await Task.WhenAll(clients);
}
catch (OperationCanceledException)
{
}

await ProbeAsync("after");
var all = minutes.SelectMany(m => m.Snapshot()).ToList();
var afterWarmup = minutes.Where(m => m.Minute >= 2 && m.RssMiB is not null).Select(m => m.RssMiB!.Value).ToList();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"total: {all.Count} requests, {all.Count(o => o.Status >= 500)} 5xx, {all.Count(o => o.Unexpected)} unexpected, {all.Count(o => o.Kind == RequestKind.Aborted)} aborted, {all.Count(o => o.Status is >= 400 and < 500)} 4xx"));
if (afterWarmup.Count > 0)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"server RSS after warm-up (minutes 2..): min {afterWarmup.Min():F0} MiB, max {afterWarmup.Max():F0} MiB, spread {(afterWarmup.Max() - afterWarmup.Min()) / afterWarmup.Min() * 100:F1}%"));
}

foreach (var unexpected in all.Where(o => o.Unexpected).Take(5))
{
    Console.WriteLine($"unexpected: {unexpected.Kind} {unexpected.Status} {unexpected.Note}");
}

return all.Any(o => o.Status >= 500) ? 1 : 0;
