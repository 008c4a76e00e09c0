using System.Globalization;

namespace InferenceServer.Bench.Serving;

/// <summary>Settings of the serving benchmark (<c>serving</c> sub-command). Every option has a default.</summary>
internal sealed record ServingSettings
{
    public string? ModelPath { get; init; }
    /// <summary>Concurrency levels, each a closed loop of <see cref="Requests"/> requests.</summary>
    public int[] Concurrency { get; init; } = [1, 4, 16];
    /// <summary>Requests per level (one entry, or one per level).</summary>
    public int[] Requests { get; init; } = [4, 8, 32];
    public int PromptWords { get; init; } = 20;
    public int MaxTokens { get; init; } = 64;
    /// <summary>Warm-up requests (sent one at a time, not measured) before the first level.</summary>
    public int Warmup { get; init; } = 1;
    public string Endpoint { get; init; } = "completions";
    public int Threads { get; init; } = 2;
    public int Slots { get; init; } = 16;
    public int ContextSize { get; init; } = 16384;
    public int Port { get; init; } = 18090;
    /// <summary>Benchmark this project's server (started as a child process).</summary>
    public bool Ours { get; init; } = true;
    /// <summary>URL of another OpenAI-compatible server (already running, or started by <see cref="PeerCommand"/>).</summary>
    public string? PeerUrl { get; init; }
    /// <summary>Command line that starts the peer (<c>{model}</c>, <c>{threads}</c>, <c>{slots}</c>, <c>{ctx}</c>, <c>{port}</c> are replaced).</summary>
    public string? PeerCommand { get; init; }
    public string PeerName { get; init; } = "peer";
    /// <summary>Run the peer before this server (swap the order between runs).</summary>
    public bool PeerFirst { get; init; }
    /// <summary>Extra configuration for this server (key=value, e.g. Engine__PrefixCache=false).</summary>
    public IReadOnlyList<string> Set { get; init; } = [];
    /// <summary>A shared system-prompt prefix of this many words in front of every prompt (prefix-cache workload).</summary>
    public int SharedPrefixWords { get; init; }
    public string Configuration { get; init; } = "Release";
    /// <summary>The long-prompt scenario instead of the levels: this many words (0 = off) arrive in one prompt while
    /// <see cref="BackgroundStreams"/> streams decode.</summary>
    public int LongPromptWords { get; init; }
    public int BackgroundStreams { get; init; } = 8;
    public int BackgroundTokens { get; init; } = 256;
    /// <summary>Rounds of interleaved measurement: both servers run (one measured at a time, the other idle) and
    /// each level alternates between them, so slow drifts of a shared machine hit both alike; medians are reported.</summary>
    public int Rounds { get; init; } = 1;

    public int RequestsAt(int levelIndex) => Requests.Length == 1 ? Requests[0] : Requests[levelIndex];

    public static ServingSettings Parse(IReadOnlyList<string> args)
    {
        var s = new ServingSettings();
        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int[] Ints() => Next().Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            s = args[i] switch
            {
                "--model" => s with { ModelPath = Next() },
                "--concurrency" => s with { Concurrency = Ints() },
                "--requests" => s with { Requests = Ints() },
                "--prompt-words" => s with { PromptWords = Int() },
                "--shared-prefix-words" => s with { SharedPrefixWords = Int() },
                "--max-tokens" => s with { MaxTokens = Int() },
                "--warmup" => s with { Warmup = Int() },
                "--endpoint" => s with { Endpoint = Next() },
                "--threads" => s with { Threads = Int() },
                "--slots" => s with { Slots = Int() },
                "--ctx" => s with { ContextSize = Int() },
                "--port" => s with { Port = Int() },
                "--no-ours" => s with { Ours = false },
                "--peer-url" => s with { PeerUrl = Next() },
                "--peer-command" => s with { PeerCommand = Next() },
                "--peer-name" => s with { PeerName = Next() },
                "--peer-first" => s with { PeerFirst = true },
                "--set" => s with { Set = [.. s.Set, Next()] },
                "--configuration" => s with { Configuration = Next() },
                "--long-prompt-words" => s with { LongPromptWords = Int() },
                "--background-streams" => s with { BackgroundStreams = Int() },
                "--background-tokens" => s with { BackgroundTokens = Int() },
                "--rounds" => s with { Rounds = Int() },
                _ => throw new ArgumentException($"unknown argument {args[i]} (see docs/performance.md for the serving benchmark's options)"),
            };
        }

        if (s.Requests.Length != 1 && s.Requests.Length != s.Concurrency.Length)
        {
            throw new ArgumentException("--requests takes one number or one per --concurrency level");
        }

        if (s.Rounds > 1 && (!s.Ours || (s.PeerCommand is null && s.PeerUrl is null) || s.LongPromptWords > 0))
        {
            throw new ArgumentException("--rounds needs this server and a peer (--peer-command or --peer-url), and the concurrency levels");
        }

        if (s.Endpoint is not ("completions" or "chat"))
        {
            throw new ArgumentException("--endpoint is completions or chat");
        }

        return s;
    }
}
