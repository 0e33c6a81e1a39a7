using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using RhythmFlow.Contracts;
using RhythmFlow.Modeling.Jinja;
using RhythmFlow.Modeling.Project;

namespace RhythmFlow.Modeling.Execution;

/// <summary>What a materialization or test did, as dbt's adapter_response reports it.</summary>
public sealed record AdapterResponse(string Message, string Code, long? RowsAffected);

/// <summary>
/// Materializes nodes on PostgreSQL the way dbt-postgres does: views and tables are built under a temporary name and
/// swapped in inside one transaction; incremental models insert (append) or delete+insert by unique_key from a temp table.
/// </summary>
public sealed class PostgresAdapter(NpgsqlDataSource dataSource, DbtProject project)
{
    private readonly HashSet<string> _schemas = new(StringComparer.Ordinal);

    public async Task<string?> RelationTypeAsync(DbtNode node, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "select case c.relkind when 'v' then 'view' when 'm' then 'materialized_view' else 'table' end " +
            "from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relname = $2 and c.relkind in ('r', 'p', 'v', 'm')");
        command.Parameters.Add(new() { Value = node.Schema });
        command.Parameters.Add(new() { Value = node.Alias });
        return await command.ExecuteScalarAsync(ct) as string;
    }

    public async Task<AdapterResponse> MaterializeAsync(DbtNode node, string sql, CompileOptions options, CancellationToken ct)
    {
        await EnsureSchemaAsync(node.Schema, ct);
        var existing = await RelationTypeAsync(node, ct);
        return node.Materialized switch
        {
            "view" => await ReplaceAsync(node, "view", existing, $"create view {{0}} as (\n{sql}\n)", ct),
            "table" => await ReplaceAsync(node, "table", existing, $"create table {{0}} as (\n{sql}\n)", ct),
            "incremental" when existing == "table" && !DbtProject.FullRefresh(node, options) => await MergeIncrementalAsync(node, sql, ct),
            "incremental" => await ReplaceAsync(node, "table", existing, $"create table {{0}} as (\n{sql}\n)", ct),
            var other => throw new RhythmFlowException($"{node.OriginalFilePath}: materialization '{other}' cannot be executed.", "Use view, table, incremental or ephemeral."),
        };
    }

    private async Task EnsureSchemaAsync(string schema, CancellationToken ct)
    {
        if (_schemas.Add(schema))
        {
            await using var command = dataSource.CreateCommand($"create schema if not exists {project.Target.Quote(schema)}");
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    private string Qualified(DbtNode node, string identifier) => new Relation(project.Target, node.Database, node.Schema, identifier).ToString();

    private async Task<AdapterResponse> ReplaceAsync(DbtNode node, string type, string? existing, string createTemplate, CancellationToken ct)
    {
        var target = project.Target;
        var tmp = node.Alias + "__dbt_tmp";
        var backup = node.Alias + "__dbt_backup";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await ExecuteAsync(connection, null, $"drop table if exists {Qualified(node, tmp)} cascade; drop view if exists {Qualified(node, tmp)} cascade", ct);
        await ExecuteAsync(connection, null, $"drop table if exists {Qualified(node, backup)} cascade; drop view if exists {Qualified(node, backup)} cascade", ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var rows = await ExecuteAsync(connection, transaction, string.Format(CultureInfo.InvariantCulture, createTemplate, Qualified(node, tmp)), ct);
        if (existing is not null)
        {
            await ExecuteAsync(connection, transaction, $"alter {Kind(existing)} {Qualified(node, node.Alias)} rename to {target.Quote(backup)}", ct);
        }

        await ExecuteAsync(connection, transaction, $"alter {type} {Qualified(node, tmp)} rename to {target.Quote(node.Alias)}", ct);
        if (type == "table")
        {
            await CreateIndexesAsync(connection, transaction, node, ct);
        }

        await transaction.CommitAsync(ct);
        if (existing is not null)
        {
            // Like dbt-postgres: dropping the old relation with cascade also drops views built on it; they are rebuilt when selected.
            await ExecuteAsync(connection, null, $"drop {Kind(existing)} if exists {Qualified(node, backup)} cascade", ct);
        }

        return type == "view" ? new("CREATE VIEW", "CREATE VIEW", -1) : new($"SELECT {rows}", "SELECT", rows);
    }

    private static string Kind(string relationType) => relationType == "materialized_view" ? "materialized view" : relationType;

    private async Task<AdapterResponse> MergeIncrementalAsync(DbtNode node, string sql, CancellationToken ct)
    {
        var strategy = node.Config.GetValueOrDefault("incremental_strategy") as string ?? "append";
        if (strategy is not ("append" or "delete+insert"))
        {
            throw new RhythmFlowException(
                $"{node.OriginalFilePath}: incremental_strategy '{strategy}' is not implemented for postgres by the runner.",
                "Use 'delete+insert' (with unique_key) or 'append' on the postgres target.");
        }

        var onSchemaChange = node.Config.GetValueOrDefault("on_schema_change") as string ?? "ignore";
        if (onSchemaChange is not ("ignore" or "fail"))
        {
            throw new RhythmFlowException($"{node.OriginalFilePath}: on_schema_change '{onSchemaChange}' is not implemented by the runner.", "Use 'ignore' or 'fail', and --full-refresh after changing columns.");
        }

        var target = project.Target;
        var tmp = target.Quote($"{node.Alias}__dbt_tmp{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await ExecuteAsync(connection, transaction, $"create temporary table {tmp} on commit drop as (\n{sql}\n)", ct);
        var targetColumns = await ColumnsAsync(connection, transaction, $"{Qualified(node, node.Alias)}", ct);
        var newColumns = await ColumnsAsync(connection, transaction, tmp, ct);
        if (onSchemaChange == "fail" && !targetColumns.Order(StringComparer.Ordinal).SequenceEqual(newColumns.Order(StringComparer.Ordinal)))
        {
            throw new RhythmFlowException(
                $"The source and target schemas on this incremental model are out of sync: {node.Name} has columns [{string.Join(", ", targetColumns)}], the new rows have [{string.Join(", ", newColumns)}].",
                "Run with --full-refresh to rebuild the model with its new columns.");
        }

        var keys = node.Config.GetValueOrDefault("unique_key") switch
        {
            null => [],
            string key => [key],
            List<object?> list => list.Select(JinjaValues.ToText).ToList(),
            var other => throw new RhythmFlowException($"{node.OriginalFilePath}: unique_key {JinjaValues.Repr(other)} must be a column name or a list of them.", "Fix the config."),
        };
        var relation = Qualified(node, node.Alias);
        if (strategy == "delete+insert" && keys.Count == 1)
        {
            await ExecuteAsync(connection, transaction, $"delete from {relation} where ({keys[0]}) in (select ({keys[0]}) from {tmp})", ct);
        }
        else if (strategy == "delete+insert" && keys.Count > 1)
        {
            var condition = string.Join(" and ", keys.Select(k => $"{tmp}.{k} = {relation}.{k}"));
            await ExecuteAsync(connection, transaction, $"delete from {relation} using {tmp} where ({condition})", ct);
        }

        var columns = string.Join(", ", targetColumns.Select(target.Quote));
        var inserted = await ExecuteAsync(connection, transaction, $"insert into {relation} ({columns}) (select {columns} from {tmp})", ct);
        await transaction.CommitAsync(ct);
        return new($"INSERT 0 {inserted}", "INSERT", inserted);
    }

    private static async Task<List<string>> ColumnsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string relation, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select * from {relation} where false", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
    }

    private async Task CreateIndexesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DbtNode node, CancellationToken ct)
    {
        foreach (var index in node.Config.GetValueOrDefault("indexes") as List<object?> ?? [])
        {
            if (index is not Dictionary<string, object?> spec || spec.GetValueOrDefault("columns") is not List<object?> columns)
            {
                throw new RhythmFlowException($"{node.OriginalFilePath}: each entry of 'indexes' needs 'columns': a list of column names.", "Write indexes=[{'columns': ['id'], 'unique': true}].");
            }

            var names = columns.Select(JinjaValues.ToText).ToList();
            var unique = JinjaValues.IsTruthy(spec.GetValueOrDefault("unique"));
            var method = spec.GetValueOrDefault("type") is string type ? $" using {type}" : string.Empty;
            // Salted like dbt-postgres's (which hashes in the current time): a table swapped in by a rebuild gets its
            // indexes while the old table, about to be dropped, still holds its own names in the schema.
            var salt = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
            var indexName = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes($"{node.Alias}_{string.Join("_", names)}_{unique}_{method}_{salt}")));
            await ExecuteAsync(connection, transaction,
                $"create {(unique ? "unique " : string.Empty)}index if not exists {project.Target.Quote(indexName)} on {Qualified(node, node.Alias)}{method} ({string.Join(", ", names.Select(project.Target.Quote))})", ct);
        }
    }

    /// <summary>Loads a seed CSV: creates the table (dropping it on --full-refresh or a column change) or empties it, then inserts every row.</summary>
    public async Task<AdapterResponse> SeedAsync(DbtNode node, bool fullRefresh, CancellationToken ct)
    {
        var table = SeedTable.Read(Path.Combine(project.Root, node.OriginalFilePath), node);
        await EnsureSchemaAsync(node.Schema, ct);
        var existing = await RelationTypeAsync(node, ct);
        var relation = Qualified(node, node.Alias);
        var target = project.Target;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var keep = existing == "table" && !fullRefresh
            && (await ColumnsAsync(connection, transaction, relation, ct)).SequenceEqual(table.Columns.Select(c => c.Name));
        if (keep)
        {
            await ExecuteAsync(connection, transaction, $"truncate table {relation}", ct);
        }
        else
        {
            if (existing is not null)
            {
                await ExecuteAsync(connection, transaction, $"drop {Kind(existing)} if exists {relation} cascade", ct);
            }

            await ExecuteAsync(connection, transaction, $"create table {relation} ({string.Join(", ", table.Columns.Select(c => $"{target.Quote(c.Name)} {c.SqlType}"))})", ct);
        }

        var columns = string.Join(", ", table.Columns.Select(c => target.Quote(c.Name)));
        foreach (var row in table.Rows)
        {
            await using var insert = new NpgsqlCommand(
                $"insert into {relation} ({columns}) values ({string.Join(", ", table.Columns.Select((c, i) => $"cast(${i + 1} as {c.SqlType})"))})", connection, transaction);
            foreach (var value in row)
            {
                insert.Parameters.Add(new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            }

            await insert.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
        return new($"INSERT {table.Rows.Count}", "INSERT", table.Rows.Count);
    }

    /// <summary>Runs a test query wrapped as dbt wraps it: failures, should_warn, should_error.</summary>
    public async Task<(long Failures, bool ShouldWarn, bool ShouldError)> TestAsync(DbtNode node, string sql, CancellationToken ct)
    {
        var warnIf = Condition(node, "warn_if");
        var errorIf = Condition(node, "error_if");
        await using var command = dataSource.CreateCommand(
            $"select count(*) as failures, count(*) {warnIf} as should_warn, count(*) {errorIf} as should_error from (\n{sql}\n) dbt_internal_test");
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetBoolean(1), reader.GetBoolean(2));
    }

    private static string Condition(DbtNode node, string key)
    {
        var text = JinjaValues.ToText(node.Config.GetValueOrDefault(key) ?? "!= 0").Trim();
        return System.Text.RegularExpressions.Regex.IsMatch(text, @"^(=|==|!=|<>|<|<=|>|>=)\s*\d+$")
            ? text.Replace("==", "=", StringComparison.Ordinal)
            : throw new UsageException($"{node.OriginalFilePath}: test '{node.Name}' has {key} '{text}'.", $"Write {key} as a comparison with a number, such as '>10' or '!=0'.");
    }

    private static async Task<long> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        return await command.ExecuteNonQueryAsync(ct);
    }
}
