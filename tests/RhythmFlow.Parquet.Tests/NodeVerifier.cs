using System.Diagnostics;
using System.Text.Json;

namespace RhythmFlow.Parquet.Tests;

/// <summary>Runs the npm verifiers in tests/verifiers (DuckDB, hyparquet): independent engines, not mocks.</summary>
internal static class NodeVerifier
{
    private static readonly Lazy<string> Folder = new(FindFolder);

    public static JsonElement Run(string script, params string[] args)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Folder.Value,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(Folder.Value, script));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {script} did not finish within 2 minutes");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"node {script} failed ({process.ExitCode}): {stderr.Result}");
        }

        return JsonDocument.Parse(stdout.Result).RootElement.Clone();
    }

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RhythmFlow.sln")))
            {
                var verifiers = Path.Combine(dir.FullName, "tests", "verifiers");
                return Directory.Exists(Path.Combine(verifiers, "node_modules", "@duckdb", "node-api")) && Directory.Exists(Path.Combine(verifiers, "node_modules", "hyparquet"))
                    ? verifiers
                    : throw new InvalidOperationException($"The npm verifiers are not installed: run `npm ci` in {verifiers} (scripts/test.sh does it).");
            }
        }

        throw new InvalidOperationException($"No RhythmFlow.sln above {AppContext.BaseDirectory}; run the tests from the repository.");
    }
}
