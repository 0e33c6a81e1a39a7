using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RhythmFlow.Parquet;

namespace RhythmFlow.Benchmarks.Parquet;

/// <summary>
/// The whole-file comparison behind bench/parquet-vs-duckdb.sh: the same listen_events rows written and read by
/// RhythmFlow and by single-threaded DuckDB, in the same run, per codec; prints throughput, sizes and ratios.
/// </summary>
internal static class ParquetVsDuckDb
{
    public static int Run(string[] args)
    {
        var rows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
        var runs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        var root = FindRepositoryRoot();
        var dir = Directory.CreateTempSubdirectory("rhythmflow-parquet-bench-").FullName;
        try
        {
            Console.WriteLine($"generating {rows:N0} listen_events rows ...");
            var data = new ListenEventsData(rows);
            var source = Path.Combine(dir, "source.parquet");
            using (var file = File.Create(source))
            {
                data.WriteTo(file, ParquetCompression.Uncompressed);
            }

            var rawMb = data.RawBytes / 1e6;
            Console.WriteLine($"raw values: {rawMb:F1} MB; best of {runs} runs; DuckDB SET threads=1");
            Console.WriteLine();
            Console.WriteLine($"{"codec",-7} {"engine",-11} {"write rows/s",14} {"write MB/s",11} {"file MB",9} {"read rows/s",14} {"read MB/s",10}");
            foreach (var (codec, duckName) in new[] { (ParquetCompression.Snappy, "snappy"), (ParquetCompression.Gzip, "gzip") })
            {
                var duckFile = Path.Combine(dir, $"duckdb-{duckName}.parquet");
                var duck = RunDuckDb(root, source, duckFile, duckName, runs);
                var ours = Path.Combine(dir, $"rhythmflow-{duckName}.parquet");
                var write = Best(runs, () =>
                {
                    using var file = new FileStream(ours, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
                    data.WriteTo(file, codec);
                });
                var read = Best(runs, () => ReadAll(ours, rows));
                var size = new FileInfo(ours).Length;
                Print(duckName, "DuckDB", rows, rawMb, duck.Write, duck.Bytes, duck.Read);
                Print(duckName, "RhythmFlow", rows, rawMb, write, size, read);
                var crossRead = Best(runs, () => ReadAll(duckFile, rows));
                Console.WriteLine(
                    $"{duckName,-7} ratio RhythmFlow/DuckDB: write speed {duck.Write / write:F2}x, read speed {duck.Read / read:F2}x, size {(double)size / duck.Bytes:F3}x " +
                    $"(RhythmFlow reading DuckDB's file: {rows / crossRead:N0} rows/s)");
                Console.WriteLine();
            }

            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void ReadAll(string path, int expectedRows)
    {
        using var reader = ParquetReader.Open(path);
        long total = 0;
        foreach (var group in reader.ReadRowGroups())
        {
            total += group.RowCount;
        }

        if (total != expectedRows)
        {
            throw new InvalidOperationException($"{path} has {total} rows, expected {expectedRows}");
        }
    }

    private static void Print(string codec, string engine, int rows, double rawMb, double write, long bytes, double read) =>
        Console.WriteLine($"{codec,-7} {engine,-11} {rows / write,14:N0} {rawMb / write,11:F1} {bytes / 1e6,9:F2} {rows / read,14:N0} {rawMb / read,10:F1}");

    private static double Best(int runs, Action action)
    {
        var best = double.MaxValue;
        for (var i = 0; i < runs; i++)
        {
            GC.Collect();
            var watch = Stopwatch.StartNew();
            action();
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }

        return best;
    }

    private static (double Write, double Read, long Bytes) RunDuckDb(string root, string source, string output, string codec, int runs)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, WorkingDirectory = Path.Combine(root, "tests", "verifiers") };
        foreach (var arg in new[] { Path.Combine(root, "tests", "verifiers", "parquet", "bench-duckdb.mjs"), source, output, codec, runs.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var json = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"DuckDB benchmark failed ({process.ExitCode}); run `npm ci` in tests/verifiers.");
        }

        var result = JsonDocument.Parse(json).RootElement;
        return (result.GetProperty("writeSeconds").GetDouble(), result.GetProperty("readSeconds").GetDouble(), result.GetProperty("bytes").GetInt64());
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RhythmFlow.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Run from inside the RhythmFlow repository.");
    }
}
