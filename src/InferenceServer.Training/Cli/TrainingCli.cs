namespace InferenceServer.Training.Cli;

internal static class TrainingCli
{
    public static int Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "smoke") return SmokeCommand.Run(args.Length > 1 ? int.Parse(args[1]) : 100, 2);
        Console.WriteLine("usage: train | eval | ce-check");
        return 2;
    }
}
