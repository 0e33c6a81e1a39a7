using BenchmarkDotNet.Running;
using RhythmFlow.Benchmarks.Parquet;

// Whole-file comparisons run as plain programs (bench/*.sh); everything else is BenchmarkDotNet:
// dotnet run -c Release --project bench/RhythmFlow.Benchmarks -- --filter '*Parquet*'
if (args.Length > 0 && args[0] == "parquet-vs-duckdb")
{
    return ParquetVsDuckDb.Run(args);
}

BenchmarkSwitcher.FromAssembly(typeof(ParquetWriteBenchmarks).Assembly).Run(args);
return 0;
