namespace InferenceServer.Bench;

/// <summary>Command-line settings of the benchmark (all optional).</summary>
internal sealed record BenchSettings
{
    public string? ModelPath { get; init; }
    public int Tokens { get; init; } = 256;
    /// <summary>Single-stream runs per path; the median is reported.</summary>
    public int Repeats { get; init; } = 3;
    public int Threads { get; init; } = 2;
    public int[] Concurrency { get; init; } = [1, 4, 16];
    public int Port { get; init; } = 18089;
    public bool FlashAttention { get; init; } = true;
    public string Configuration { get; init; } = "Release";
    /// <summary>Compare decode speed with and without a JSON-schema grammar (in-process, one stream) instead.</summary>
    public bool Grammar { get; init; }

    public static BenchSettings Parse(string[] args)
    {
        var s = new BenchSettings();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            s = args[i] switch
            {
                "--model" => s with { ModelPath = Next() },
                "--tokens" => s with { Tokens = int.Parse(Next()) },
                "--threads" => s with { Threads = int.Parse(Next()) },
                "--repeats" => s with { Repeats = int.Parse(Next()) },
                "--flash-attention" => s with { FlashAttention = bool.Parse(Next()) },
                "--streams" => s with { Concurrency = Next().Split(',').Select(int.Parse).ToArray() },
                "--port" => s with { Port = int.Parse(Next()) },
                "--configuration" => s with { Configuration = Next() },
                "--grammar" => s with { Grammar = true },
                _ => throw new ArgumentException($"unknown argument {args[i]} (known: --model --tokens --threads --repeats --flash-attention --streams --port --configuration --grammar)"),
            };
        }
        return s;
    }
}
