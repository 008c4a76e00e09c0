using System.Globalization;
using InferenceServer.Bench;

// Dispatches to the benchmarks; each prints figures only and never asserts timings. Usage: docs/performance.md.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (args is [] || args[0] is not ("--help" or "-h" or "help"))
{
    try
    {
        return args switch
        {
            ["serving", ..] => await InferenceServer.Bench.Serving.ServingCommand.RunAsync(args[1..], Console.Out),
            ["decode", ..] => DecodeBench.Run(args[1..], Console.Out),
            ["embeddings", ..] => await EmbeddingBench.RunAsync(args[1..], Console.Out),
            _ => await QuickBench.RunAsync(args, Console.Out),
        };
    }
    catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
    {
        Console.Error.WriteLine($"error: {ex.Message}");
        Console.Error.WriteLine("run with --help for the commands; their options are in docs/performance.md");
        return 2;
    }
}

Console.Out.WriteLine("""
    InferenceServer.Bench: benchmarks that print figures (docs/performance.md lists every option and recorded run).
      (no command)  [--tokens N] [--streams 1,4,16] [--repeats N] [--threads N] [--model PATH] ...
                    the quick benchmark: 51M model, one stream in-process vs over HTTP, then concurrent streams
      serving       [--concurrency 1,4,16] [--requests 8,16,32] [--rounds N] [--peer-command CMD | --peer-url URL] ...
                    closed-loop streaming load against this server and a peer, side by side (TTFT, ITL, TPOT, tok/s)
      decode        [--npp N] [--ntg N] [--npl 1,4,16] [--ctx N] [--threads N] [--separate-streams] ...
                    the engine alone, as llama-batched-bench measures it
      embeddings    [--model PATH] ...
                    embedding throughput
    """);
return 0;
