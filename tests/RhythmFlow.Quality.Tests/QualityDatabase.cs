using System.Text.Json.Nodes;
using Npgsql;
using RhythmFlow.Quality.Suites;
using RhythmFlow.Quality.Validation;
using RhythmFlow.Testing;

namespace RhythmFlow.Quality.Tests;

/// <summary>A fresh database per test class in the test run's private PostgreSQL, plus helpers to run one-expectation suites.</summary>
public class QualityDatabase : IAsyncLifetime
{
    private string _connectionString = string.Empty;

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _connectionString = await TestPostgres.CreateDatabaseAsync(Migrated);
        DataSource = NpgsqlDataSource.Create(_connectionString);
        if (SetupSql.Length > 0)
        {
            await ExecuteAsync(SetupSql);
        }
    }

    /// <summary>True for a database with the warehouse migrations (the raw layer) applied.</summary>
    protected virtual bool Migrated => false;

    /// <summary>Tables a test class works on, created once per class.</summary>
    protected virtual string SetupSql => string.Empty;

    public async Task DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await TestPostgres.DropDatabaseAsync(_connectionString);
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}

internal static class Suites
{
    public static readonly DateTimeOffset Now = new(2026, 3, 29, 15, 0, 0, TimeSpan.Zero);

    /// <summary>A suite of one expectation (severity error) parsed from JSON kwargs, as a suite file would hold it.</summary>
    public static ExpectationSuite One(string type, string kwargsJson, string severity = "error") => Parse(
        $$$"""{"name": "t", "expectations": [{"id": "e1", "type": "{{{type}}}", "kwargs": {{{kwargsJson}}}, "meta": {"severity": "{{{severity}}}"}}]}""");

    public static ExpectationSuite Parse(string json)
    {
        var path = Path.Combine(Path.GetTempPath(), $"suite-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        try
        {
            return ExpectationSuite.Load(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static async Task<ExpectationRunResult> RunOneAsync(QualityDatabase db, string table, string type, string kwargsJson, BatchSpec? batch = null)
    {
        var result = await RunAsync(db, One(type, kwargsJson), batch ?? BatchSpec.ForTable(table));
        return result.Results.Single();
    }

    public static Task<SuiteRunResult> RunAsync(QualityDatabase db, ExpectationSuite suite, BatchSpec batch, IReadOnlyDictionary<string, object>? parameters = null)
    {
        var validator = new SuiteValidator(db.DataSource, new FixedTime(Now));
        var values = new Dictionary<string, object>(parameters ?? new Dictionary<string, object>()) { ["now"] = Now };
        return validator.ValidateAsync(suite, batch, new SuiteParameters(values), new RunId("test", Now), null, CancellationToken.None);
    }

    public static JsonNode Result(this ExpectationRunResult result) => result.Json["result"]!;
}

internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
