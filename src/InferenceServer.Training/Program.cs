return InferenceServer.Training.Cli.TrainingCli.Run(args);
