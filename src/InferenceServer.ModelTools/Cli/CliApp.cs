namespace InferenceServer.ModelTools.Cli;

/// <summary>Entry point of the model tool: <c>generate</c> and <c>info</c> commands.</summary>
public static class CliApp
{
    public const string Usage = """
        Usage:
          generate --out PATH [--embd 64] [--layers 2] [--heads 4] [--kv-heads 2] [--ff 172] [--ctx 2048]
                   [--vocab 512] [--seed 42] [--f16] [--tied] [--name NAME] [--corpus FILE]
          generate-scripted --out PATH [--script TEXT] [--vocab 384] [--corpus FILE]
          info PATH
        """;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                stdout.WriteLine(Usage);
                return args.Length == 0 ? 2 : 0;
            }
            var options = CliOptions.Parse(args.Skip(1));
            return args[0] switch
            {
                "generate" => GenerateCommand.Run(options, stdout),
                "generate-scripted" => GenerateCommand.RunScripted(options, stdout),
                "info" => InfoCommand.Run(options, stdout),
                _ => throw new CliException($"Unknown command '{args[0]}'."),
            };
        }
        catch (CliException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            stderr.WriteLine(Usage);
            return 2;
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}

public sealed class CliException(string message) : Exception(message);
