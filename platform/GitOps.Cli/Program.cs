using GitOps.Cli;

return await GitOpsCommandLine.RunAsync(args, Console.Out, Console.Error);
