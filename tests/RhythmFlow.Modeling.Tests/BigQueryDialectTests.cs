using System.Diagnostics;
using RhythmFlow.Modeling.Project;

namespace RhythmFlow.Modeling.Tests;

/// <summary>Every model and test of the dbt project, compiled for the prod (BigQuery) target, parses as BigQuery SQL.</summary>
public sealed class BigQueryDialectTests
{
    [Fact]
    public async Task Compile_EveryNodeForProdTarget_ParsesWithBigQueryDialectParser()
    {
        // Given every model and test rendered for the prod target, as dbt-bigquery would run them
        var project = DbtProject.Load(new ProjectLoadOptions(Repository.DbtProject, TargetName: "prod")
        {
            Environment = name => name == "GCP_PROJECT_ID" ? "rhythmflow-ci" : null,
        });
        var folder = Directory.CreateTempSubdirectory("rhythmflow-bigquery-").FullName;
        var nodes = project.Nodes.Values.Where(n => n.ResourceType is ResourceType.Model or ResourceType.Test).ToList();
        foreach (var options in new[] { new CompileOptions(Execute: true), new CompileOptions(Execute: true, ExistsAsTable: _ => true) })
        {
            foreach (var node in nodes)
            {
                var sql = project.Compile(node, options);
                sql.ShouldNotContain("\"rhythmflow-ci\"", customMessage: $"{node.Name} quotes identifiers the PostgreSQL way");
                var incremental = options.ExistsAsTable is null ? "full" : "incremental";
                await File.WriteAllTextAsync(Path.Combine(folder, $"{node.Name}.{incremental}.sql"), sql);
            }
        }

        // When
        var (exitCode, output) = await RunNodeAsync(Path.Combine(Repository.Root, "tests", "verifiers", "sql", "parse-bigquery.mjs"), folder);

        // Then
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(nodes.Count * 2);
        lines.Where(l => l.Contains("\"ok\":false", StringComparison.Ordinal)).ShouldBeEmpty();
        exitCode.ShouldBe(0);
        Directory.Delete(folder, recursive: true);
    }

    private static async Task<(int ExitCode, string Output)> RunNodeAsync(string script, string argument)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output + error);
    }
}
