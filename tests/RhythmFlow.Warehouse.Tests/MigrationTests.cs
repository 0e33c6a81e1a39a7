using Dapper;
using RhythmFlow.Contracts;
using RhythmFlow.Testing;

namespace RhythmFlow.Warehouse.Tests;

public sealed class MigrationTests(MigratedPostgresDatabase db) : IClassFixture<MigratedPostgresDatabase>
{
    [Theory]
    [InlineData(Topics.Listen)]
    [InlineData(Topics.PageView)]
    [InlineData(Topics.Auth)]
    [InlineData(Topics.StatusChange)]
    public async Task RawTable_AfterMigrations_HasExactlyTheLakeSchemaColumns(string topic)
    {
        // Given
        var expected = LakeSchema.ColumnsOf(topic)
            .Select(c => $"{c.Name} {PostgresType(c.Type)} {(c.Required ? "NOT NULL" : "NULL")}")
            .ToList();

        // When
        await using var connection = await db.DataSource.OpenConnectionAsync();
        var actual = (await connection.QueryAsync<(string Name, string Type, string Nullable)>(
                """
                SELECT column_name, data_type, is_nullable FROM information_schema.columns
                WHERE table_schema = 'raw' AND table_name = @topic ORDER BY ordinal_position
                """,
                new { topic }))
            .Select(c => $"{c.Name} {c.Type} {(c.Nullable == "NO" ? "NOT NULL" : "NULL")}")
            .ToList();

        // Then
        actual.ShouldBe(expected);
    }

    [Theory]
    [InlineData(Topics.Listen)]
    [InlineData(Topics.StatusChange)]
    public async Task RawTable_AfterMigrations_IsPartitionedByTsWithADefaultPartitionInRawHours(string topic)
    {
        // When
        await using var connection = await db.DataSource.OpenConnectionAsync();
        var partitioning = await connection.ExecuteScalarAsync<string>("SELECT pg_get_partkeydef(@table::regclass)", new { table = $"raw.{topic}" });
        var partitions = (await connection.QueryAsync<string>(
                """
                SELECT c.relnamespace::regnamespace || '.' || c.relname || ' ' || pg_get_expr(c.relpartbound, c.oid)
                FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = @table::regclass
                """,
                new { table = $"raw.{topic}" }))
            .ToList();

        // Then
        partitioning.ShouldBe("RANGE (ts)");
        partitions.ShouldBe([$"raw_hours.{topic}_default DEFAULT"]);
    }

    [Fact]
    public async Task EmbeddedInstance_Started_SkipsWalForTablesCreatedInTheLoadingTransaction()
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();

        (await connection.ExecuteScalarAsync<string>("SHOW wal_level")).ShouldBe("minimal");
    }

    [Fact]
    public async Task Migrate_RunTwice_AppliesEachMigrationOnce()
    {
        var appliedAgain = await Migrator.MigrateAsync(db.DataSource, Serilog.Log.Logger, CancellationToken.None);

        appliedAgain.ShouldBeEmpty();
        await using var connection = await db.DataSource.OpenConnectionAsync();
        var recorded = (await connection.QueryAsync<int>("SELECT version FROM rhythmflow.schema_migrations ORDER BY version")).ToList();
        recorded.ShouldBe(Migrator.All.Select(m => m.Version).ToList());
    }

    [Fact]
    public void All_Versions_AreOrderedAndWarehouseOnesBelow100()
    {
        Migrator.All.Select(m => m.Version).ShouldBeInOrder(SortDirection.Ascending);
        Migrator.All.ShouldContain(m => m.Version == 1 && m.Name == "raw_tables");
    }

    private static string PostgresType(LakeColumnType type) => type switch
    {
        LakeColumnType.String => "text",
        LakeColumnType.Int32 => "integer",
        LakeColumnType.Int64 => "bigint",
        LakeColumnType.Double => "double precision",
        LakeColumnType.Boolean => "boolean",
        LakeColumnType.TimestampMillis => "timestamp with time zone",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}
