using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using Npgsql;
using RhythmFlow.Contracts;
using Serilog;

namespace RhythmFlow.Warehouse;

/// <summary>One versioned migration: <c>Migrations/NNNN_name.sql</c>, embedded in this assembly.</summary>
public sealed record Migration(int Version, string Name, string Sql)
{
    public string Checksum { get; } = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Sql))).ToLowerInvariant();
}

/// <summary>
/// Applies the embedded migrations in version order, each once, each in its own transaction, recording them in
/// <c>rhythmflow.schema_migrations</c>. An advisory lock makes concurrent invocations wait instead of racing.
/// </summary>
public static partial class Migrator
{
    // Arbitrary but fixed: the advisory lock key all RhythmFlow migrators agree on.
    private const long LockKey = 0x5268_7974_686d_0001;

    public static IReadOnlyList<Migration> All { get; } = Load();

    /// <summary>Applies what is missing and returns the versions applied now.</summary>
    public static async Task<IReadOnlyList<int>> MigrateAsync(NpgsqlDataSource dataSource, ILogger logger, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@LockKey)", new { LockKey }, cancellationToken: cancellationToken));
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                CREATE SCHEMA IF NOT EXISTS rhythmflow;
                CREATE TABLE IF NOT EXISTS rhythmflow.schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                );
                """,
                cancellationToken: cancellationToken));
            var applied = (await connection.QueryAsync<(int Version, string Name, string Checksum)>(new CommandDefinition(
                "SELECT version, name, checksum FROM rhythmflow.schema_migrations", cancellationToken: cancellationToken)))
                .ToDictionary(m => m.Version);

            var appliedNow = new List<int>();
            foreach (var migration in All)
            {
                if (applied.TryGetValue(migration.Version, out var existing))
                {
                    if (existing.Checksum != migration.Checksum)
                    {
                        logger.Warning(
                            "Migration {Version} ({Name}) changed after it was applied; the warehouse keeps the applied version",
                            migration.Version, migration.Name);
                    }

                    continue;
                }

                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                try
                {
                    await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken));
                    await connection.ExecuteAsync(new CommandDefinition(
                        "INSERT INTO rhythmflow.schema_migrations (version, name, checksum) VALUES (@Version, @Name, @Checksum)",
                        new { migration.Version, migration.Name, migration.Checksum },
                        transaction,
                        cancellationToken: cancellationToken));
                    await transaction.CommitAsync(cancellationToken);
                }
                catch (PostgresException ex)
                {
                    throw new RhythmFlowException(
                        $"Warehouse migration {migration.Version:D4}_{migration.Name}.sql failed: {ex.MessageText}",
                        "Fix the migration file; nothing of it was applied.",
                        ex);
                }

                logger.Information("Applied warehouse migration {Version} ({Name})", migration.Version, migration.Name);
                appliedNow.Add(migration.Version);
            }

            return appliedNow;
        }
        finally
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@LockKey)", new { LockKey }, cancellationToken: cancellationToken));
        }
    }

    private static List<Migration> Load()
    {
        var assembly = typeof(Migrator).Assembly;
        const string prefix = "RhythmFlow.Warehouse.Migrations.";
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var match = FileName().Match(resource[prefix.Length..]);
            if (!match.Success)
            {
                throw new InvalidOperationException($"Migration '{resource}' is not named NNNN_name.sql.");
            }

            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            migrations.Add(new Migration(int.Parse(match.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture), match.Groups["name"].Value, reader.ReadToEnd()));
        }

        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        return duplicate is null
            ? [.. migrations.OrderBy(m => m.Version)]
            : throw new InvalidOperationException($"Two migrations share version {duplicate.Key}: {string.Join(", ", duplicate.Select(m => m.Name))}.");
    }

    [GeneratedRegex(@"^(?<version>\d{4})_(?<name>[a-z0-9_]+)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex FileName();
}
