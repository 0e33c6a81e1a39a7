using RhythmFlow.Modeling.Project;
using RhythmFlow.Testing;

namespace RhythmFlow.Modeling.Tests;

/// <summary>Every model and test of the dbt project, compiled for the prod (BigQuery) target, parses as BigQuery SQL.</summary>
public sealed class BigQueryDialectTests
{
    [Fact]
    public async Task Compile_EveryNodeForProdTarget_ParsesWithBigQueryDialectParser()
    {
        // Given every model and test rendered for the prod target, as dbt-bigquery would run them: a first build, an
        // incremental build, and an hourly build with the interval vars the chain passes
        var hourly = new Dictionary<string, object?> { ["data_interval_start"] = "2024-03-04T10:00:00Z", ["data_interval_end"] = "2024-03-04T11:00:00Z" };
        var project = Load(null);
        var hourlyProject = Load(hourly);
        var folder = Directory.CreateTempSubdirectory("rhythmflow-bigquery-").FullName;
        var nodes = project.Nodes.Values.Where(n => n.ResourceType is ResourceType.Model or ResourceType.Test).ToList();
        var builds = new[]
        {
            (Project: project, Options: new CompileOptions(Execute: true), Label: "full"),
            (Project: project, Options: new CompileOptions(Execute: true, ExistsAsTable: _ => true), Label: "incremental"),
            (Project: hourlyProject, Options: new CompileOptions(Execute: true, ExistsAsTable: _ => true), Label: "hourly"),
        };
        foreach (var (built, options, label) in builds)
        {
            foreach (var node in nodes)
            {
                var sql = built.Compile(built.Nodes[node.UniqueId], options);
                sql.ShouldNotContain("\"rhythmflow-ci\"", customMessage: $"{node.Name} quotes identifiers the PostgreSQL way");
                await File.WriteAllTextAsync(Path.Combine(folder, $"{node.Name}.{label}.sql"), sql);
            }
        }

        // When
        var (exitCode, output, error) = await RepositoryCheckout.RunAsync("node", [Path.Combine(Repository.Root, "tests", "verifiers", "sql", "parse-bigquery.mjs"), folder]);

        // Then
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(nodes.Count * builds.Length);
        lines.Where(l => l.Contains("\"ok\":false", StringComparison.Ordinal)).ShouldBeEmpty();
        exitCode.ShouldBe(0, error);
        Directory.Delete(folder, recursive: true);
    }

    private static DbtProject Load(IReadOnlyDictionary<string, object?>? vars) =>
        DbtProject.Load(new ProjectLoadOptions(Repository.DbtProject, TargetName: "prod", Vars: vars)
        {
            Environment = name => name == "GCP_PROJECT_ID" ? "rhythmflow-ci" : null,
        });
}
