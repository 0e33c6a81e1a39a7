using System.Diagnostics;
using System.Text.Json.Nodes;
using RhythmFlow.Testing;

namespace RhythmFlow.Orchestration.Tests;

/// <summary>A fact that runs only where <c>import airflow</c> works (the compose image); the ast contract test always runs.</summary>
public sealed class AirflowFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> Importable = new(() =>
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("python3", ["-c", "import airflow.sdk"])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            })!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    public AirflowFactAttribute()
    {
        if (!Importable.Value)
        {
            Skip = "Airflow 3 is not importable with python3 here (no PyPI); DagContractTests checks the DAGs with ast instead.";
        }
    }
}

public sealed class DagBagTests
{
    [AirflowFact]
    public async Task DagBag_Import_NoErrorsAndTheDefinedChains()
    {
        // Given, When
        var (exitCode, stdout, stderr) = await RepositoryCheckout.RunAsync(
            "python3",
            [Repository.TestFile("dagbag_check.py"), Repository.Path("dags")],
            environment: new Dictionary<string, string> { ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False" });

        // Then
        exitCode.ShouldBe(0, stderr);
        var result = JsonNode.Parse(stdout)!;
        result["importErrors"]!.AsObject().ShouldBeEmpty();
        foreach (var expected in Pipelines.All)
        {
            var dag = result["dags"]![expected.DagId] ?? throw new ShouldAssertException($"{expected.DagId} not in the DagBag");
            ((bool)dag["catchup"]!).ShouldBe(expected.Catchup);
            if (expected.HasDataIntervals)
            {
                ((string)dag["timetable"]!).ShouldBe("CronDataIntervalTimetable");
            }

            var tasks = dag["tasks"]!.AsObject().ToDictionary(t => t.Key, t => t.Value!.AsArray().Select(u => (string)u!).ToList());
            tasks.Keys.ShouldBe(expected.Tasks.Select(t => t.TaskId), ignoreOrder: true);
            foreach (var task in expected.Tasks)
            {
                tasks[task.TaskId].ShouldBe(task.Upstream, ignoreOrder: true);
            }
        }
    }
}
