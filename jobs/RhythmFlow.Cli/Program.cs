using RhythmFlow.Cli;

return await RhythmFlowCli.RunAsync(args);
