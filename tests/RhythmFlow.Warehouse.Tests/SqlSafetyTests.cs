using Dapper;
using RhythmFlow.Contracts;
using RhythmFlow.Testing;

namespace RhythmFlow.Warehouse.Tests;

public sealed class SqlSafetyTests(MigratedPostgresDatabase db) : IClassFixture<MigratedPostgresDatabase>
{
    [Theory]
    [InlineData("raw; DROP TABLE x")]
    [InlineData("Raw")]
    [InlineData("\"raw\"")]
    [InlineData("raw.listen_events")]
    [InlineData("")]
    [InlineData("1abc")]
    public void Require_UnsafeIdentifier_ThrowsUsageNamingIt(string name)
    {
        var error = Should.Throw<UsageException>(() => SqlIdentifier.Require(name, "Schema"));

        error.Message.ShouldContain($"Schema '{name}'");
        error.Hint.ShouldNotBeNull();
    }

    [Fact]
    public void RawTable_UnknownTopic_ThrowsListingTopics()
    {
        var error = Should.Throw<UsageException>(() => SqlIdentifier.RawTable("listen_events; --"));

        error.Hint!.ShouldContain(Topics.Listen);
    }

    [Fact]
    public void RawTable_KnownTopic_IsQuotedAndQualified() =>
        SqlIdentifier.RawTable(Topics.Listen).ShouldBe("\"raw\".\"listen_events\"");

    [Fact]
    public async Task Run_Select_ReturnsColumnsAndRows()
    {
        var result = await ReadOnlyQuery.RunAsync(db.DataSource, "SELECT 1 AS one, NULL::text AS nothing", CancellationToken.None);

        result.Columns.ShouldBe(["one", "nothing"]);
        result.Rows.Single().ShouldBe([1, null]);
    }

    [Theory]
    [InlineData("INSERT INTO raw.auth_events (ts) VALUES (now())")]
    [InlineData("DROP TABLE raw.auth_events")]
    [InlineData("SELECT 1; DROP TABLE raw.auth_events")]
    [InlineData("COMMIT; DROP TABLE raw.auth_events")]
    public async Task Run_StatementThatWrites_IsRefusedAndChangesNothing(string sql)
    {
        await Should.ThrowAsync<UsageException>(() => ReadOnlyQuery.RunAsync(db.DataSource, sql, CancellationToken.None));

        await using var connection = await db.DataSource.OpenConnectionAsync();
        (await connection.ExecuteScalarAsync<string?>("SELECT to_regclass('raw.auth_events')::text")).ShouldBe("raw.auth_events");
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM raw.auth_events")).ShouldBe(0);
    }
}
