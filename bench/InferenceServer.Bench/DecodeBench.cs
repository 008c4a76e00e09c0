using System.Diagnostics;
using System.Globalization;
using InferenceServer.Core.Engine;
using InferenceServer.Core.Options;
using InferenceServer.Bench.Serving;
using InferenceServer.LlamaSharp;
using Microsoft.Extensions.Logging.Abstractions;
using Options = Microsoft.Extensions.Options.Options;

namespace InferenceServer.Bench;

/// <summary>
/// <c>decode</c> subcommand: the native engine alone, no scheduler, no HTTP. It loads the model through the server's
/// own backend factory (so the same context parameters as the server) and times <c>llama_decode</c> in the pattern of
/// llama.cpp's <c>llama-batched-bench</c>: for each B, prefill B random prompts of PP tokens, then TG steps of one token
/// per sequence with logits for every token. Run <c>llama-batched-bench</c> with the same PP/TG/B, context, threads and
/// KV layout to compare the two llama.cpp builds on identical work. Figures only; never asserts.
/// </summary>
internal static class DecodeBench
{
    public static int Run(string[] args, TextWriter log)
    {
        var options = Parse(args);
        var modelPath = Path.GetFullPath(options.ModelPath ?? ServingModel.Ensure(log));
        var maxStreams = options.Parallel.Max();
        var model = new ModelOptions
        {
            Path = modelPath,
            ContextSize = options.ContextSize,
            Threads = options.Threads,
            UnifiedKvCache = options.Unified,
            CpuVariant = options.CpuVariant,
            NativeLibraryDirectory = options.NativeLibraryDirectory,
            CpuVariantsDirectory = options.CpuVariantsDirectory,
        };
        var engine = new EngineOptions { MaxSequences = maxStreams };
        var factory = new LlamaSharpBackendFactory(Options.Create(model), Options.Create(engine), NullLoggerFactory.Instance);
        using var backend = factory.Create(CancellationToken.None);
        var meta = backend.Metadata;
        log.WriteLine($"decode: model {Path.GetFileName(modelPath)}, context {meta.ContextSize}, batch {meta.BatchSize}, " +
            $"threads {options.Threads}, KV {(meta.SeparateKvStreams ? "one stream per sequence" : "unified")}, {MachineInfo.Describe()}");

        var random = new Random(1234);
        int Token() => random.Next(meta.VocabSize);
        Decode(backend, Enumerable.Range(0, 16).Select(i => new BatchToken(Token(), i, 0, false)).ToArray(), meta.BatchSize); // warm-up

        log.WriteLine($"| {"PP",6} | {"TG",6} | {"B",4} | {"N_KV",6} | {"T_PP s",8} | {"S_PP t/s",8} | {"T_TG s",8} | {"S_TG t/s",8} | {"T s",8} | {"S t/s",8} |");
        log.WriteLine("|--------|--------|------|--------|----------|----------|----------|----------|----------|----------|");
        for (var repeat = 0; repeat < options.Repeats; repeat++)
        {
            foreach (var pp in options.PromptLengths)
            {
                foreach (var tg in options.GenerateLengths)
                {
                    foreach (var pl in options.Parallel)
                    {
                        var needed = pl * (pp + tg);
                        if (needed > meta.ContextSize || pp + tg > meta.SequenceContextSize)
                        {
                            continue;
                        }

                        for (var s = 0; s < maxStreams; s++)
                        {
                            backend.RemoveSequence(s);
                        }

                        var prompt = new List<BatchToken>(pl * pp);
                        for (var s = 0; s < pl; s++)
                        {
                            for (var i = 0; i < pp; i++)
                            {
                                prompt.Add(new BatchToken(Token(), i, s, i == pp - 1));
                            }
                        }

                        var t0 = Stopwatch.GetTimestamp();
                        Decode(backend, prompt.ToArray(), meta.BatchSize);
                        var tPp = Stopwatch.GetElapsedTime(t0).TotalSeconds;

                        var step = new BatchToken[pl];
                        var stepSeconds = new double[tg];
                        var t1 = Stopwatch.GetTimestamp();
                        for (var i = 0; i < tg; i++)
                        {
                            for (var s = 0; s < pl; s++)
                            {
                                step[s] = new BatchToken(Token(), pp + i, s, true);
                            }
                            var stepStart = Stopwatch.GetTimestamp();
                            Decode(backend, step, meta.BatchSize);
                            stepSeconds[i] = Stopwatch.GetElapsedTime(stepStart).TotalSeconds;
                        }
                        var tTg = Stopwatch.GetElapsedTime(t1).TotalSeconds;
                        var total = tPp + tTg;
                        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"| {pp,6} | {tg,6} | {pl,4} | {needed,6} | {tPp,8:F3} | {pl * pp / tPp,8:F2} | {tTg,8:F3} | {pl * tg / tTg,8:F2} | {total,8:F3} | {(pl * pp + pl * tg) / total,8:F2} |"));
                        if (options.StepTimes && tg > 0)
                        {
                            log.WriteLine(DescribeSteps(stepSeconds));
                        }
                    }
                }
            }
        }
        return 0;
    }

    /// <summary>The spread of single decode steps, where a mean hides whether all steps are slower or a few stall.</summary>
    private static string DescribeSteps(double[] seconds)
    {
        var sorted = seconds.Order().ToArray();
        double At(double q) => 1000 * sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        return string.Create(CultureInfo.InvariantCulture,
            $"  TG step ms: p50 {At(0.5):F2}, p90 {At(0.9):F2}, p99 {At(0.99):F2}, max {1000 * sorted[^1]:F2}, mean {1000 * seconds.Average():F2}");
    }

    private static void Decode(IModelBackend backend, BatchToken[] tokens, int batchSize)
    {
        for (var i = 0; i < tokens.Length; i += batchSize)
        {
            var status = backend.Decode(tokens.AsSpan(i, Math.Min(batchSize, tokens.Length - i)));
            if (status != DecodeStatus.Ok)
            {
                throw new InvalidOperationException($"llama_decode failed: {status}");
            }
        }
    }

    private sealed record DecodeOptions(string? ModelPath, int[] PromptLengths, int[] GenerateLengths, int[] Parallel,
        int ContextSize, int Threads, bool Unified, int Repeats, string CpuVariant, string? NativeLibraryDirectory,
        string? CpuVariantsDirectory, bool StepTimes);

    private static DecodeOptions Parse(string[] args)
    {
        string? modelPath = null;
        int[] pp = [40], tg = [64], pl = [1, 4, 16];
        int context = 16384, threads = 2, repeats = 1;
        var unified = true;
        var stepTimes = false;
        var cpuVariant = CpuVariantNames.Auto;
        string? nativeDirectory = null, variantsDirectory = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int[] List() => Next().Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            switch (args[i])
            {
                case "--model": modelPath = Next(); break;
                case "--npp": pp = List(); break;
                case "--ntg": tg = List(); break;
                case "--npl": pl = List(); break;
                case "--ctx": context = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--repeats": repeats = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--separate-streams": unified = false; break;
                case "--step-times": stepTimes = true; break;
                case "--cpu-variant": cpuVariant = Next(); break;
                case "--native-library-directory": nativeDirectory = Next(); break;
                case "--cpu-variants-directory": variantsDirectory = Next(); break;
                default: throw new ArgumentException($"unknown option {args[i]} (decode: --model --npp --ntg --npl --ctx --threads --repeats --separate-streams --step-times --cpu-variant --native-library-directory --cpu-variants-directory)");
            }
        }
        return new DecodeOptions(modelPath, pp, tg, pl, context, threads, unified, repeats, cpuVariant, nativeDirectory, variantsDirectory, stepTimes);
    }
}
