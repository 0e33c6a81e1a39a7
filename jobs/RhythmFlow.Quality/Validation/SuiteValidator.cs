using System.Text.Json.Nodes;
using Npgsql;
using RhythmFlow.Quality.Expectations;
using RhythmFlow.Quality.Sql;
using RhythmFlow.Quality.Suites;

namespace RhythmFlow.Quality.Validation;

/// <summary>
/// Runs a suite against one batch in the warehouse, each expectation pushed down as SQL on a read-only connection,
/// and builds GX's validation-result JSON. A failure inside one expectation (a missing column, a type mismatch)
/// fails that expectation with <c>exception_info</c>, as GX does with <c>catch_exceptions</c>, and the rest still run.
/// </summary>
public sealed class SuiteValidator(NpgsqlDataSource dataSource, TimeProvider time, IQuarantineCounts? quarantine = null, int partialUnexpectedCount = 20)
{
    /// <summary>The GX release whose file formats and result layout this validator follows.</summary>
    public const string GxVersion = "1.3.0";

    /// <summary>Compiles every expectation; throws <see cref="ExpectationConfigException"/> for the first bad one.</summary>
    internal static IReadOnlyList<CompiledExpectation> Compile(ExpectationSuite suite, SuiteParameters parameters)
    {
        var effective = parameters.WithDefaults(suite.SuiteParameters);
        return [.. suite.Expectations.Select(e => ExpectationCatalog.Compile(suite.Name, e, effective))];
    }

    public async Task<SuiteRunResult> ValidateAsync(
        ExpectationSuite suite,
        BatchSpec batch,
        SuiteParameters parameters,
        RunId runId,
        string? checkpointName,
        CancellationToken cancellationToken)
    {
        var compiled = Compile(suite, parameters);
        var results = new List<ExpectationRunResult>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (var readOnly = new NpgsqlCommand("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", connection))
        {
            await readOnly.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        IReadOnlyList<BatchColumn>? columns = null;
        string? batchProblem = null;
        try
        {
            columns = await ReadColumnsAsync(connection, batch, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex)
        {
            batchProblem = $"the batch {batch.Describe} could not be read: {ex.MessageText}";
        }

        foreach (var expectation in compiled)
        {
            JsonObject? result = null;
            var success = false;
            string? problem = batchProblem;
            if (columns is not null)
            {
                try
                {
                    var context = new EvaluationContext(connection, batch, columns, partialUnexpectedCount, quarantine);
                    var outcome = await expectation.Expectation.EvaluateAsync(context, cancellationToken).ConfigureAwait(false);
                    (success, result) = (outcome.Success, outcome.Result);
                }
                catch (ExpectationRuntimeException ex)
                {
                    problem = ex.Message;
                }
                catch (PostgresException ex)
                {
                    problem = $"the warehouse rejected the query: {ex.MessageText} (SQLSTATE {ex.SqlState})";
                }
            }

            results.Add(new ExpectationRunResult(expectation.Config, success, ExpectationJson(expectation, success, result ?? [], problem)));
        }

        var json = SuiteJson(suite, batch, parameters.WithDefaults(suite.SuiteParameters), runId, checkpointName, results);
        return new SuiteRunResult(suite.Name, batch, results, json);
    }

    private static async Task<IReadOnlyList<BatchColumn>> ReadColumnsAsync(NpgsqlConnection connection, BatchSpec batch, CancellationToken cancellationToken)
    {
        var sql = new SqlText().Append("SELECT * FROM ");
        batch.AppendRelation(sql);
        sql.Append(" LIMIT 0");
        await using var command = sql.CreateCommand(connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return [.. (await reader.GetColumnSchemaAsync(cancellationToken).ConfigureAwait(false)).Select(c => new BatchColumn(c.ColumnName, c.DataTypeName ?? "unknown"))];
    }

    private static JsonObject ExpectationJson(CompiledExpectation expectation, bool success, JsonObject result, string? problem)
    {
        var config = new JsonObject
        {
            ["type"] = expectation.Config.Type,
            ["kwargs"] = expectation.ResolvedKwargs.DeepClone(),
            ["meta"] = expectation.Config.Meta.DeepClone(),
            ["id"] = expectation.Config.Id,
        };
        if (expectation.Config.Notes is not null)
        {
            config["notes"] = expectation.Config.Notes;
        }

        return new JsonObject
        {
            ["success"] = success,
            ["expectation_config"] = config,
            ["result"] = result,
            ["meta"] = new JsonObject(),
            ["exception_info"] = new JsonObject
            {
                ["raised_exception"] = problem is not null,
                ["exception_traceback"] = null,
                ["exception_message"] = problem,
            },
        };
    }

    private JsonObject SuiteJson(
        ExpectationSuite suite,
        BatchSpec batch,
        SuiteParameters parameters,
        RunId runId,
        string? checkpointName,
        IReadOnlyList<ExpectationRunResult> results)
    {
        var evaluated = results.Count;
        var successful = results.Count(r => r.Success);
        var parameterJson = new JsonObject();
        foreach (var (name, value) in parameters.Values.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            parameterJson[name] = JsonValues.From(value);
        }

        var batchParameters = new JsonObject();
        foreach (var (name, value) in batch.BatchParameters)
        {
            batchParameters[name] = value;
        }

        return new JsonObject
        {
            ["success"] = successful == evaluated,
            ["results"] = new JsonArray([.. results.Select(r => (JsonNode)r.Json)]),
            ["suite_name"] = suite.Name,
            ["suite_parameters"] = parameterJson,
            ["statistics"] = new JsonObject
            {
                ["evaluated_expectations"] = evaluated,
                ["successful_expectations"] = successful,
                ["unsuccessful_expectations"] = evaluated - successful,
                ["success_percent"] = evaluated == 0 ? null : JsonValue.Create(100.0 * successful / evaluated),
            },
            ["meta"] = new JsonObject
            {
                ["great_expectations_version"] = GxVersion,
                ["validator"] = "rhythmflow validate",
                ["batch_spec"] = new JsonObject
                {
                    ["schema_name"] = batch.Schema,
                    ["table_name"] = batch.Table,
                    ["query"] = batch.Query,
                    ["partition_column"] = batch.PartitionColumn,
                },
                ["batch_markers"] = new JsonObject(),
                ["active_batch_definition"] = new JsonObject
                {
                    ["datasource_name"] = batch.DatasourceName,
                    ["data_connector_name"] = "fluent",
                    ["data_asset_name"] = batch.AssetName,
                    ["batch_identifiers"] = batchParameters,
                    ["batch_definition_name"] = batch.BatchDefinitionName,
                },
                ["validation_time"] = JsonValues.From(time.GetUtcNow()),
                ["checkpoint_name"] = checkpointName,
                ["run_id"] = runId.ToJson(),
                ["batch_id"] = batch.BatchId,
            },
            ["id"] = null,
        };
    }
}
