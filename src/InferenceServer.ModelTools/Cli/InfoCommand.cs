using InferenceServer.ModelTools.Gguf;

namespace InferenceServer.ModelTools.Cli;

/// <summary><c>info PATH</c>: prints a GGUF file's metadata and tensor table.</summary>
public static class InfoCommand
{
    public static int Run(CliOptions o, TextWriter stdout)
    {
        o.RejectUnknown();
        if (o.Positional.Count != 1) throw new CliException("info needs exactly one PATH.");
        var reader = GgufReader.Open(o.Positional[0]);
        stdout.WriteLine($"GGUF v{reader.Version}, {reader.Metadata.Count} keys, {reader.Tensors.Count} tensors, data at {reader.DataOffset}");
        foreach (var key in reader.KeyOrder) stdout.WriteLine($"  {key} = {reader.Metadata[key]}");
        long total = 0;
        foreach (var t in reader.Tensors)
        {
            total += t.ElementCount;
            stdout.WriteLine($"  tensor {t.Name,-28} {t.Type,-4} [{string.Join(", ", t.Shape)}] @ {t.Offset}");
        }
        stdout.WriteLine($"parameters: {total:N0}");
        return 0;
    }
}
