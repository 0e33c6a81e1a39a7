using System.Diagnostics;
using System.Globalization;
using Npgsql;
using RhythmFlow.Modeling.Graph;
using RhythmFlow.Modeling.Project;
using Serilog;

namespace RhythmFlow.Modeling.Execution;

/// <summary>The dbt commands the runner implements.</summary>
public enum ModelCommand
{
    Build,
    Run,
    Test,
    Seed,
    Compile,
    Ls,
}

/// <summary>One invocation: the command, dbt's selection flags, and --full-refresh.</summary>
public sealed record RunRequest(ModelCommand Command, IReadOnlyList<string> Select, IReadOnlyList<string> Exclude, bool FullRefresh = false);

/// <summary>What happened to one node, as run_results.json records it.</summary>
public sealed record NodeResult(
    DbtNode Node, string Status, string Message, double ExecutionSeconds, DateTimeOffset StartedAt, DateTimeOffset CompletedAt,
    AdapterResponse? Response, long? Failures, string? CompiledCode);

public sealed record RunOutcome(IReadOnlyList<NodeResult> Results, double ElapsedSeconds)
{
    /// <summary>True unless a node errored or an error-severity test failed (dbt's exit code 1).</summary>
    public bool Success => Results.All(r => r.Status is not ("error" or "fail" or "skipped"));
}

/// <summary>
/// Runs dbt commands over a loaded project: selects nodes, orders them by the DAG, compiles, materializes on
/// PostgreSQL, runs tests, prints one line per node and a summary like dbt, and writes dbt's artifacts.
/// </summary>
public sealed class ModelRunner(DbtProject project, NpgsqlDataSource? dataSource, TextWriter output, ILogger logger, TimeProvider time)
{
    public async Task<RunOutcome> RunAsync(RunRequest request, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var graph = new ProjectGraph(project);
        var selected = Selector.Select(project, graph, request.Select, request.Exclude);
        var nodes = graph.Order.Where(selected.Contains).Select(id => project.Nodes[id]).Where(n => Wanted(n, request.Command)).ToList();
        var invocationId = Guid.NewGuid().ToString();
        if (request.Command == ModelCommand.Ls)
        {
            foreach (var node in nodes)
            {
                await output.WriteLineAsync(string.Join('.', node.Fqn));
            }

            return new RunOutcome([], 0);
        }

        var adapter = dataSource is null ? null : new PostgresAdapter(dataSource, project);
        var tables = new Dictionary<string, bool>(StringComparer.Ordinal);
        if (adapter is not null)
        {
            foreach (var node in nodes.Where(n => n.Materialized == "incremental"))
            {
                tables[node.UniqueId] = await adapter.RelationTypeAsync(node, ct) == "table";
            }
        }

        var options = new CompileOptions(Execute: true, request.FullRefresh, node => tables.GetValueOrDefault(node.UniqueId));
        var results = new List<NodeResult>();
        var failed = new HashSet<string>(StringComparer.Ordinal);
        var executable = nodes.Where(n => n.IsExecutable).ToList();
        for (var i = 0; i < executable.Count; i++)
        {
            var node = executable[i];
            var result = failed.Overlaps(node.DependsOn) && request.Command != ModelCommand.Compile
                ? Skipped(node)
                : await ExecuteAsync(node, request, adapter, options, ct);
            results.Add(result);
            if (result.Status is "error" or "fail" or "skipped")
            {
                failed.Add(node.UniqueId);
            }

            await output.WriteLineAsync(Line(i + 1, executable.Count, result));
            if (request.Command == ModelCommand.Build && node.ResourceType == ResourceType.Test && result.Status == "fail")
            {
                // In `build`, children of a model whose error test failed are skipped, as in dbt.
                foreach (var parent in node.DependsOn)
                {
                    failed.UnionWith(graph.Descendants(parent, null).Where(d => !d.StartsWith("test.", StringComparison.Ordinal)));
                }
            }
        }

        var elapsed = time.GetElapsedTime(started).TotalSeconds;
        var outcome = new RunOutcome(results, elapsed);
        await Summarize(outcome);
        Artifacts.Write(project, graph, outcome, request, invocationId, time.GetUtcNow());
        logger.Information("model {Command}: {Total} nodes in {Elapsed:0.00}s", request.Command.ToString().ToLowerInvariant(), results.Count, elapsed);
        return outcome;
    }

    private static bool Wanted(DbtNode node, ModelCommand command) => command switch
    {
        ModelCommand.Run => node.ResourceType == ResourceType.Model,
        ModelCommand.Test => node.ResourceType == ResourceType.Test,
        ModelCommand.Seed => node.ResourceType == ResourceType.Seed,
        _ => node.ResourceType is ResourceType.Model or ResourceType.Seed or ResourceType.Test,
    };

    private NodeResult Skipped(DbtNode node)
    {
        var now = time.GetUtcNow();
        return new NodeResult(node, "skipped", "SKIP", 0, now, now, null, null, null);
    }

    private async Task<NodeResult> ExecuteAsync(DbtNode node, RunRequest request, PostgresAdapter? adapter, CompileOptions options, CancellationToken ct)
    {
        var startedAt = time.GetUtcNow();
        var watch = Stopwatch.StartNew();
        string? compiled = null;
        try
        {
            if (node.ResourceType != ResourceType.Seed)
            {
                compiled = project.Compile(node, options);
                Artifacts.WriteCompiled(project, node, compiled);
            }

            if (request.Command == ModelCommand.Compile || adapter is null)
            {
                return Done("success", "compiled", null, null);
            }

            switch (node.ResourceType)
            {
                case ResourceType.Seed:
                    var seeded = await adapter.SeedAsync(node, request.FullRefresh, ct);
                    return Done("success", seeded.Message, seeded, null);
                case ResourceType.Test:
                    var (failures, warn, error) = await adapter.TestAsync(node, compiled!, ct);
                    var severity = DbtProject.Severity(node, node.OriginalFilePath);
                    var status = severity == "error" && error ? "fail" : warn ? "warn" : "pass";
                    return Done(status, status == "pass" ? "PASS" : $"Got {failures} result{(failures == 1 ? string.Empty : "s")}, configured to {status} if {node.Config.GetValueOrDefault(status == "fail" ? "error_if" : "warn_if") ?? "!= 0"}", null, failures);
                default:
                    var response = await adapter.MaterializeAsync(node, compiled!, options, ct);
                    return Done("success", response.Message, response, null);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or Contracts.RhythmFlowException)
        {
            logger.Debug(ex, "{Node} failed", node.UniqueId);
            var message = ex is PostgresException pg ? $"Database Error in {node.ResourceType.ToString().ToLowerInvariant()} {node.Name} ({node.OriginalFilePath})\n  {pg.MessageText}" : ex.Message;
            return Done("error", message, null, null);
        }

        NodeResult Done(string status, string message, AdapterResponse? response, long? failures) =>
            new(node, status, message, watch.Elapsed.TotalSeconds, startedAt, time.GetUtcNow(), response, failures, compiled);
    }

    private static string Line(int index, int total, NodeResult result)
    {
        var node = result.Node;
        var what = node.ResourceType switch
        {
            ResourceType.Test => $"test {node.Name}",
            ResourceType.Seed => $"seed file {node.Schema}.{node.Alias}",
            _ => $"sql {node.Materialized} model {node.Schema}.{node.Alias}",
        };
        var (verb, tag) = result.Status switch
        {
            "success" when node.ResourceType == ResourceType.Seed => ("OK loaded", result.Response?.Message ?? "INSERT"),
            "success" when result.Response is null => ("OK compiled", "COMPILED"),
            "success" => ("OK created", result.Response!.Message),
            "pass" => ("PASS", "PASS"),
            "warn" => ($"WARN {result.Failures}", $"WARN {result.Failures}"),
            "fail" => ($"FAIL {result.Failures}", $"FAIL {result.Failures}"),
            "skipped" => ("SKIP relation", "SKIP"),
            _ => ("ERROR creating", "ERROR"),
        };
        var text = $"{index} of {total} {verb} {what} ";
        var seconds = result.ExecutionSeconds.ToString("0.00", CultureInfo.InvariantCulture);
        return $"{text.PadRight(70, '.')} [{tag} in {seconds}s]";
    }

    private async Task Summarize(RunOutcome outcome)
    {
        var results = outcome.Results;
        await output.WriteLineAsync();
        await output.WriteLineAsync($"Finished running {results.Count} nodes in {outcome.ElapsedSeconds.ToString("0.00", CultureInfo.InvariantCulture)}s.");
        var problems = results.Where(r => r.Status is "error" or "fail" or "warn").ToList();
        await output.WriteLineAsync(problems.Any(p => p.Status != "warn") ? $"Completed with {problems.Count(p => p.Status != "warn")} error(s) and {problems.Count(p => p.Status == "warn")} warning(s):" : problems.Count > 0 ? $"Completed with {problems.Count} warning(s):" : "Completed successfully");
        foreach (var problem in problems)
        {
            await output.WriteLineAsync($"  {(problem.Status == "warn" ? "Warning" : "Failure")} in {problem.Node.ResourceType.ToString().ToLowerInvariant()} {problem.Node.Name} ({problem.Node.OriginalFilePath}): {problem.Message}");
        }

        int Count(params string[] statuses) => results.Count(r => statuses.Contains(r.Status));
        await output.WriteLineAsync($"Done. PASS={Count("success", "pass")} WARN={Count("warn")} ERROR={Count("error", "fail")} SKIP={Count("skipped")} NO-OP=0 TOTAL={results.Count}");
    }
}
