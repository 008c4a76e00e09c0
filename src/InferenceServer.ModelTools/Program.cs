using InferenceServer.ModelTools.Cli;

return CliApp.Run(args, Console.Out, Console.Error);
