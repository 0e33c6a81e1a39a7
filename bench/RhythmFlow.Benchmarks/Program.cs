using BenchmarkDotNet.Running;

// Run one class or all: dotnet run -c Release --project bench/RhythmFlow.Benchmarks -- --filter '*Parquet*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
